// A real HTTP server that answers the agent protocol the way the server does where a unit
// test needs it: events applied once per seq (the idempotency rule of protocol/agent.ts),
// 409 for an older attempt, 410 for an ended jobstate, 503 while "down", and scripted
// contact replies. Runtime parts are tested against it over real sockets.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentEvent, ContactBody, ContactReply } from '../../src/protocol/agent.ts';

export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  // biome-ignore lint/suspicious/noExplicitAny: requests are read field by field
  body: any;
}

interface JobstateLedger {
  attempt: number;
  lastSeq: number;
  /** Events applied, in the order applied. */
  applied: AgentEvent[];
  ended: boolean;
}

export interface ProtocolStub {
  url: string;
  requests: StubRequest[];
  /** While true every call answers `downStatus` (503 unless set). */
  down: boolean;
  downStatus: number;
  /** Jobstates the stub knows: events for others answer 404. */
  ledger: Map<string, JobstateLedger>;
  /** Registers a jobstate at an attempt (a newer attempt makes the older one's events 409). */
  expect(jobstate: string, attempt?: number): void;
  /** Ends a jobstate on the "server" side: its events answer 410. */
  end(jobstate: string): void;
  /** While true a contact with a wake URL answers 400 naming the field, as a server refusing it does. */
  refuseWakeUrl: boolean;
  /** What the next contacts answer (default: no jobs). */
  contactReplies: Partial<ContactReply>[];
  /** Called with each contact body; may delay the answer (long poll). */
  onContact?: (body: ContactBody) => Promise<void> | void;
  /** The enrolment token the stub accepts; an enrolment with another answers 401. */
  enrolToken: string;
  /** Every seq applied for a jobstate, in order. */
  seqs(jobstate: string): number[];
  close(): Promise<void>;
}

export async function startProtocolStub(port = 0): Promise<ProtocolStub> {
  const stub: ProtocolStub = {
    url: '',
    requests: [],
    down: false,
    downStatus: 503,
    refuseWakeUrl: false,
    ledger: new Map(),
    contactReplies: [],
    enrolToken: 'enrol-token-1',
    expect(jobstate, attempt = 1) {
      stub.ledger.set(jobstate, {
        attempt,
        lastSeq: 0,
        applied: stub.ledger.get(jobstate)?.applied ?? [],
        ended: false,
      });
    },
    end(jobstate) {
      const entry = stub.ledger.get(jobstate);
      if (entry) entry.ended = true;
    },
    seqs: (jobstate) => (stub.ledger.get(jobstate)?.applied ?? []).map((e) => e.seq),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  async function handle(req: IncomingMessage, res: ServerResponse, text: string): Promise<void> {
    const path = (req.url ?? '').split('?')[0] as string;
    const body = text ? JSON.parse(text) : null;
    stub.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
    if (stub.down) return send(res, stub.downStatus, { error: { message: 'refused for the test' } });
    const events = /^\/agent\/v1\/jobstates\/([^/]+)\/events$/.exec(path);
    if (events) return answerEvents(res, decodeURIComponent(events[1] as string), body);
    if (path === '/agent/v1/enrol') {
      if (body.token !== stub.enrolToken)
        return send(res, 401, { error: { code: 'unauthorized', message: 'bad token' } });
      return send(res, 201, { agentId: `agent-for-${body.deviceId}`, secret: 'fresh-secret', contactSeconds: 30 });
    }
    if (path === '/agent/v1/contact') {
      if (stub.refuseWakeUrl && body.wakeUrl) {
        const error = { code: 'invalid_input', message: 'wakeUrl: not yours', details: { field: 'wakeUrl' } };
        return send(res, 400, { error });
      }
      await stub.onContact?.(body);
      const reply = stub.contactReplies.shift() ?? {};
      return send(res, 200, {
        jobs: [],
        stop: [],
        contactSeconds: 60,
        serverTime: new Date().toISOString(),
        ...reply,
      });
    }
    send(res, 404, { error: { code: 'not_found', message: `${path} not found` } });
  }

  function answerEvents(res: ServerResponse, jobstate: string, body: { attempt: number; events: AgentEvent[] }) {
    const entry = stub.ledger.get(jobstate);
    if (!entry) return send(res, 404, { error: { code: 'not_found', message: 'no such jobstate' } });
    if (body.attempt < entry.attempt) return send(res, 409, { error: { code: 'stale_attempt', message: 'older' } });
    if (entry.ended) return send(res, 410, { error: { code: 'jobstate_ended', message: 'ended' } });
    let applied = 0;
    for (const event of body.events) {
      if (event.seq <= entry.lastSeq) continue;
      entry.applied.push(event);
      entry.lastSeq = event.seq;
      applied++;
    }
    send(res, 200, { applied, lastSeq: entry.lastSeq });
  }

  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      handle(req, res, text).catch((err: unknown) =>
        send(res, 500, { error: { code: 'internal', message: String(err) } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return stub;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Polls in real time until `check` holds (for work done over real sockets). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A log that keeps its lines, to assert on what the agent said. */
export function memoryLog() {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
  };
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}
