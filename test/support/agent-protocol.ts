// A small agent-protocol client for tests: real HTTP (fetch) against a listening server,
// speaking protocol/agent.ts by hand so the server is tested without the agent runtime.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { ContactBody, EnrolBody, EventsBody } from '../../src/protocol/agent.ts';
import { LISTEN_BACKLOG } from '../../src/server/http-limits.ts';
import { type HarnessOptions, type ServerHarness, startServerHarness } from './server.ts';

export interface HttpReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test replies are read field by field
  json: any;
}

export async function post(base: string, path: string, body: unknown, bearer?: string): Promise<HttpReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bearer !== undefined) headers['authorization'] = `Bearer ${bearer}`;
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text === '' ? null : JSON.parse(text) };
}

export type TestEvent = EventsBody['events'][number];

/** One enrolled agent, as the server knows it by its credential. */
export class TestAgent {
  seq = 0;

  constructor(
    readonly base: string,
    readonly id: string,
    readonly secret: string,
    readonly modules: string[] = ['command'],
  ) {}

  get credential(): string {
    return `${this.id}.${this.secret}`;
  }

  contact(body: Partial<ContactBody> = {}, bearer = this.credential): Promise<HttpReply> {
    return post(
      this.base,
      '/agent/v1/contact',
      { version: '1.0.0', modules: this.modules, running: [], ...body },
      bearer,
    );
  }

  /** A contact that must succeed; returns its reply body. */
  async take(
    body: Partial<ContactBody> = {},
  ): Promise<{ jobs: { jobstate: string; attempt: number; payload: unknown }[]; stop: string[] }> {
    const reply = await this.contact({ capacity: 10, ...body });
    assert.equal(reply.status, 200, JSON.stringify(reply.json));
    return reply.json;
  }

  /** A contact that must hand out exactly one job; returns it. */
  async takeOne(body: Partial<ContactBody> = {}): Promise<{ jobstate: string; attempt: number; payload: unknown }> {
    const { jobs } = await this.take(body);
    assert.equal(jobs.length, 1, `expected one job, got ${JSON.stringify(jobs)}`);
    return jobs[0] as { jobstate: string; attempt: number; payload: unknown };
  }

  events(jobstateId: string, attempt: number, events: TestEvent[]): Promise<HttpReply> {
    return post(this.base, `/agent/v1/jobstates/${jobstateId}/events`, { attempt, events }, this.credential);
  }

  /** Reports a job's end with the next seqs (a started event first). */
  async finish(jobstateId: string, attempt: number, ok: boolean, result: unknown = {}): Promise<void> {
    const ts = Date.now();
    const reply = await this.events(jobstateId, attempt, [
      { seq: ++this.seq, ts, type: 'started' },
      { seq: ++this.seq, ts, type: ok ? 'finished' : 'error', result },
    ]);
    assert.equal(reply.status, 200, JSON.stringify(reply.json));
  }
}

export interface AgentServer extends ServerHarness {
  base: string;
  orgId: string;
  /** An org-admin of the org. */
  orgAdmin: string;
  /**
   * Makes an enrolment token (through the API) and enrols one agent with it; `tags` are the
   * token's (an agent's own tags in its enrol body target nothing).
   */
  enrol(body?: Partial<EnrolBody>): Promise<TestAgent>;
  /** Creates a manual task (through the API) in the org; returns its id. */
  task(def: Record<string, unknown>): Promise<string>;
  /** Runs a task now; returns the run id. */
  run(taskId: string): Promise<string>;
  /** Polls the store (real time) until `check` holds. */
  until(check: () => Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
}

/** An agent catalog command the tests run: `echo <msg>`, agents only. */
export const agentEcho = {
  name: 'agent-echo',
  argv: ['echo', '{msg}'],
  params: { msg: { type: 'string', pattern: '^[a-z ]{1,20}$' } },
  runsOn: 'agent',
  timeout: '1m',
};

export function echoJob(name: string, targets: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { name, module: 'command', params: { command: agentEcho.name, args: { msg: 'hi' } }, targets, ...extra };
}

/** The server harness listening on a real port, with an org, its admin and the agent catalog entry. */
export async function startAgentServer(opts: HarnessOptions = {}): Promise<AgentServer> {
  const h = await startServerHarness(opts);
  await h.app.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG });
  const base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  const org = await h.createOrg(`org-${Math.random().toString(36).slice(2, 8)}`);
  const { token: orgAdmin } = await h.createUser(org.id, `admin-${org.name}`, 'org-admin');
  await h.expect(201, 'POST', '/api/v1/commands', { token: orgAdmin, body: agentEcho });
  let devices = 0;
  return {
    ...h,
    base,
    orgId: org.id,
    orgAdmin,
    async enrol({ tags, ...body } = {}) {
      const token = await h.expect(201, 'POST', '/api/v1/enrolment-tokens', {
        token: orgAdmin,
        body: { uses: 1, expiresIn: '1h', tags },
      });
      const reply = await post(base, '/agent/v1/enrol', {
        token: token.json.token,
        deviceId: `pc-${++devices}`,
        ...body,
      });
      assert.ok(reply.status === 201 || reply.status === 200, JSON.stringify(reply.json));
      return new TestAgent(base, reply.json.agentId, reply.json.secret, body.modules ?? ['command']);
    },
    async task(def) {
      const body = { name: `t-${Math.random().toString(36).slice(2, 10)}`, schedule: { kind: 'manual' }, ...def };
      return (await h.expect(201, 'POST', '/api/v1/tasks', { token: orgAdmin, body })).json.id;
    },
    async run(taskId) {
      return (await h.expect(201, 'POST', `/api/v1/tasks/${taskId}/runs`, { token: orgAdmin })).json.id;
    },
    async until(check, what, timeoutMs = 5_000) {
      const end = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}
