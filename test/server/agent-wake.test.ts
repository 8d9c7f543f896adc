// Push mode through real HTTP listeners: a signed wake the agent's verifier accepts, a
// verifier holding another secret refusing it, and unreachable agents erroring
// (fallback error) or staying prepared for their next contact (fallback pull).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { verifyWake, WakeReplayCache, type WakeVerdict } from '../../src/protocol/wake-signature.ts';
import { type AgentServer, echoJob, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';

/** An agent's wake listener: verifies each wake with `secret` as the agent runtime does. */
class WakeListener {
  readonly verdicts: WakeVerdict[] = [];
  private readonly server: Server;
  secret = '';
  agentId = '';

  constructor() {
    const replay = new WakeReplayCache();
    this.server = createServer((req, res) => {
      const verdict =
        req.method === 'POST' && req.url === '/wake'
          ? verifyWake({ secret: this.secret, agentId: this.agentId, headers: req.headers, nowMs: Date.now(), replay })
          : ({ ok: false, reason: 'missing_headers' } as const);
      this.verdicts.push(verdict);
      res.writeHead(verdict.ok ? 204 : 401).end();
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A URL nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('push wakes', () => {
  let s: AgentServer;
  const listeners: WakeListener[] = [];
  before(async () => {
    s = await startAgentServer();
  });
  after(async () => {
    await s.cleanup();
    await Promise.all(listeners.map((l) => l.close()));
  });

  async function listening(
    secretOf: (agent: TestAgent) => string,
  ): Promise<{ agent: TestAgent; listener: WakeListener }> {
    const listener = new WakeListener();
    listeners.push(listener);
    const agent = await s.enrol({ wakeUrl: await listener.listen() });
    listener.agentId = agent.id;
    listener.secret = secretOf(agent);
    return { agent, listener };
  }

  async function pushRun(agent: TestAgent, fallback: 'pull' | 'error'): Promise<string> {
    const runId = await s.run(await s.task({ mode: 'push', fallback, jobs: [echoJob('say', { agents: [agent.id] })] }));
    const [js] = await s.store.jobstates.allOfRun(runId);
    return (js as { id: string }).id;
  }

  const settled = (id: string, status: string) =>
    s.until(async () => (await s.store.jobstates.get(id))?.status === status, `jobstate ${status}`);

  test('a prepared push job wakes its agent with a wake its verifier accepts', async () => {
    const { agent, listener } = await listening((a) => a.secret);
    const id = await pushRun(agent, 'error');
    await s.until(async () => listener.verdicts.length === 1, 'the agent is woken');
    assert.deepEqual(listener.verdicts, [{ ok: true }]);
    const [job] = (await agent.take()).jobs;
    assert.equal(job?.jobstate, id);
    assert.equal((await s.store.agents.get(agent.id))?.lastWakeError, null);
  });

  test('a verifier with another secret refuses the wake: with fallback error the job ends agent_unreachable', async () => {
    const { agent, listener } = await listening(() => 'not-the-secret');
    const id = await pushRun(agent, 'error');
    await settled(id, 'error');
    assert.deepEqual(listener.verdicts, [{ ok: false, reason: 'signature' }]);
    const js = await s.store.jobstates.get(id);
    assert.equal(js?.reason, 'agent_unreachable');
    const logs = await s.store.logs.list(id, { limit: 10 });
    assert.match(logs.items[0]?.line ?? '', /^wake failed: .*HTTP 401/);
    assert.match((await s.store.agents.get(agent.id))?.lastWakeError ?? '', /HTTP 401/);
  });

  test('an unreachable agent with fallback pull stays prepared, and diagnostics say why', async () => {
    const agent = await s.enrol({ wakeUrl: await deadUrl() });
    const id = await pushRun(agent, 'pull');
    await s.until(async () => (await s.store.agents.get(agent.id))?.lastWakeError != null, 'the wake failed');
    await s.until(async () => (await s.store.logs.count(id)) === 1, 'the failure is logged');
    assert.equal((await s.store.jobstates.get(id))?.status, 'prepared');
    const [line] = (await s.store.logs.list(id, { limit: 10 })).items;
    assert.match(line?.line ?? '', /^wake failed: .*ECONNREFUSED.*fallback pull/);
    const why = await s.expect(200, 'GET', `/api/v1/agents/${agent.id}/diagnostics`, { token: s.orgAdmin });
    assert.equal(why.json.items[0].code, 'wake_failed');
    assert.match(why.json.items[0].message, /prepared since .* — wake failed because .*ECONNREFUSED/);
    const [job] = (await agent.take()).jobs;
    assert.equal(job?.jobstate, id, 'the next contact gets it');
  });

  test('an unreachable agent with fallback error, or one that gave no wake URL, ends agent_unreachable', async () => {
    const dead = await s.enrol({ wakeUrl: await deadUrl() });
    const silent = await s.enrol();
    const ids = [await pushRun(dead, 'error'), await pushRun(silent, 'error')];
    for (const id of ids) await settled(id, 'error');
    const [deadJs, silentJs] = await Promise.all(ids.map((id) => s.store.jobstates.get(id)));
    assert.equal(deadJs?.reason, 'agent_unreachable');
    assert.equal(silentJs?.reason, 'agent_unreachable');
    assert.match(JSON.stringify(silentJs?.result), /gave no wake URL/);
  });

  test('a pull task changed to push wakes its agent at its next run', async () => {
    const { agent, listener } = await listening((a) => a.secret);
    const def = {
      name: `switch-${agent.id.slice(-6)}`,
      schedule: { kind: 'manual' },
      concurrency: 'allow',
      fallback: 'error',
    };
    const jobs = [echoJob('say', { agents: [agent.id] })];
    const created = await s.expect(201, 'POST', '/api/v1/tasks', { token: s.orgAdmin, body: { ...def, jobs } });
    const taskId = created.json.id as string;
    // The second run's jobstate is one of a task the waker knows is in pull mode.
    for (let i = 0; i < 2; i++) await s.run(taskId);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(listener.verdicts, [], 'in pull mode nobody is woken');
    await s.expect(200, 'PUT', `/api/v1/tasks/${taskId}`, {
      token: s.orgAdmin,
      body: { ...def, mode: 'push', jobs },
    });
    await s.run(taskId);
    await s.until(async () => listener.verdicts.length === 1, 'the agent is woken once the task is in push mode');
    assert.deepEqual(listener.verdicts, [{ ok: true }]);
  });

  test('pull tasks wake nobody', async () => {
    const { agent, listener } = await listening((a) => a.secret);
    const runId = await s.run(await s.task({ jobs: [echoJob('say', { agents: [agent.id] })] }));
    await s.until(async () => (await s.store.jobstates.allOfRun(runId))[0]?.status === 'prepared', 'prepared');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(listener.verdicts, []);
  });
});
