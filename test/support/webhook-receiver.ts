// A webhook receiver on 127.0.0.1 for the notification tests: records every POST, answers
// what the test scripts (a status per call, or never), and checks signatures as a real
// receiver would.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Received {
  /** The request's path (and query). */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are read field by field
  json: any;
  at: number;
  /** What the receiver answered. */
  answered: Answer;
}

/** How to answer the n-th request (0-based): a status, or 'hang' (never answer). */
export type Answer = number | 'hang';

export interface WebhookReceiver {
  url: string;
  received: Received[];
  /** Answers of the next requests, in order; after them, 200. */
  answers: Answer[];
  /** Resolves once `count` requests arrived; rejects after `ms`. */
  waitFor(count: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = '/hook'): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const answers: Answer[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {}
      const answer = answers.shift() ?? 200;
      received.push({ path: req.url ?? '', headers: req.headers, body, json, at: Date.now(), answered: answer });
      if (answer === 'hang') hanging.push(res);
      else res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'ok' : 'receiver says no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    answers,
    async waitFor(count, ms = 20_000) {
      const end = Date.now() + ms;
      while (received.length < count) {
        if (Date.now() > end) throw new Error(`waited ${ms} ms for ${count} webhook calls, got ${received.length}`);
        await sleep(20);
      }
      return received;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Whether X-Taskwarden-Signature is the HMAC-SHA256 of the exact body with `secret`. */
export function signedWith(call: Received, secret: string): boolean {
  const header = call.headers['x-taskwarden-signature'];
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(call.body).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The run ids a call tells of: its own, or each of a digest's. */
export function runIdsOf(call: Received): string[] {
  const body = call.json;
  if (body?.event === 'digest') return body.events.map((e: { run: { id: string } }) => e.run.id);
  return body?.run ? [body.run.id] : [];
}

/** Waits until `probe` returns something truthy; fails after `ms`. */
export async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}
