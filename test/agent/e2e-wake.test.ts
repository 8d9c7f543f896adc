// Wakes and credentials with real agents: a long-polling agent starts new work within a
// second; a push agent (contacting only every 60 s) is woken through its real listener
// within a second; its listener refuses forged, stale and replayed wakes; forged, replaced
// (re-enrolled), disabled and deleted agents' credentials are refused by the server.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { wakeHeaders, wakeKey } from '../../src/protocol/wake-signature.ts';
import { type AgentProcess, type FleetServer, runEnded, startFleetServer } from './e2e-support.ts';

describe('e2e: waking agents, refusing credentials', () => {
  let server: FleetServer;
  let puller: AgentProcess;
  let pusher: AgentProcess;

  before(async () => {
    server = await startFleetServer();
    puller = await server.startAgent({ name: 'puller', tags: ['pull'] });
    pusher = await server.startAgent({ name: 'pusher', tags: ['push'], listen: true });
    await server.client.addCommand({ name: 'hello', argv: ['echo', 'hello'], runsOn: 'agent' });
  });
  after(async () => {
    await server.close();
  });

  /** Runs a one-job task on the agents with `tag`; returns how long its jobstate took to start. */
  async function startLatency(name: string, tag: string, mode: 'pull' | 'push') {
    const task = await server.client.createTask({
      name,
      mode,
      fallback: 'error',
      schedule: { kind: 'manual' },
      jobs: [{ name: 'hello', module: 'command', params: { command: 'hello' }, targets: { tags: [tag] } }],
    });
    const run = await server.client.runTask(task.id);
    const ended = await runEnded(server.client, run.id, 20_000);
    assert.equal(ended.status, 'finished');
    const [js] = await server.client.runJobstates(run.id);
    return Date.parse(js!.startedAt!) - Date.parse(ended.startedAt!);
  }

  test('a long-polling agent starts new work within a second', async () => {
    // Its first contact is a long poll already in place; give it a moment to be there.
    await new Promise((r) => setTimeout(r, 1500));
    const latency = await startLatency('pulled', 'pull', 'pull');
    assert.ok(latency < 1000, `started ${latency} ms after the run`);
  });

  test('a push agent is woken through its listener and starts within a second', async () => {
    const wakeUrl = /woken at (http\S+)/.exec(pusher.output())?.[1];
    assert.match(wakeUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    const agents = await server.client.listAgents();
    assert.equal(agents.find((a) => a.id === pusher.agentId)?.wakeUrl, wakeUrl, 'sent to the server at contact');
    const latency = await startLatency('pushed', 'push', 'push');
    assert.ok(latency < 1000, `started ${latency} ms after the run`);
    assert.match(pusher.output(), /woken by the server/);
  });

  test("the agent's real listener refuses forged, stale and replayed wakes", async () => {
    const wakeUrl = /woken at (http\S+)/.exec(pusher.output())?.[1] as string;
    const { secret } = JSON.parse(await readFile(join(pusher.dir, 'agent.json'), 'utf8'));
    const post = async (headers: Record<string, string>) =>
      (await fetch(`${wakeUrl}/wake`, { method: 'POST', headers })).status;
    const genuine = wakeHeaders(wakeKey(secret), pusher.agentId, Date.now());
    assert.equal(await post(genuine), 204);
    assert.equal(await post(genuine), 401, 'replayed');
    assert.equal(await post(wakeHeaders(wakeKey('not-the-secret'), pusher.agentId, Date.now())), 401, 'forged');
    assert.equal(await post(wakeHeaders(wakeKey(secret), pusher.agentId, Date.now() - 120_000)), 401, 'stale');
    assert.equal(await post({}), 401, 'unsigned');
  });

  test('the server refuses a forged credential, a replaced one, a disabled and a deleted agent', async () => {
    const contact = (credential: string) =>
      fetch(`${server.url}/agent/v1/contact`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version: 'x', modules: [], running: [] }),
      }).then((r) => r.status);
    const state = JSON.parse(await readFile(join(puller.dir, 'agent.json'), 'utf8'));
    assert.equal(await contact(`${state.agentId}.${state.secret}`), 200, 'the genuine credential works');
    assert.equal(await contact(`${state.agentId}.${'A'.repeat(43)}`), 401, 'forged secret');
    assert.equal(await contact(`${pusher.agentId}.${state.secret}`), 401, "another agent's id with this secret");

    const disabled = await server.call('PATCH', `/api/v1/agents/${puller.agentId}`, { enabled: false });
    assert.equal(disabled.status, 200);
    assert.equal(await contact(`${state.agentId}.${state.secret}`), 403, 'disabled');

    // The same device enrolling again (once an admin allows it) gets a new secret: the old one stops working.
    const reenrol = async () =>
      fetch(`${server.url}/agent/v1/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: await server.enrolmentToken(), deviceId: state.deviceId }),
      });
    assert.equal((await reenrol()).status, 409, 'not without an admin');
    assert.equal((await server.call('POST', `/api/v1/agents/${puller.agentId}/allow-reenrol`, {})).status, 200);
    const fresh = (await (await reenrol()).json()) as { agentId: string; secret: string };
    assert.equal(fresh.agentId, state.agentId, 'same device, same agent');
    assert.equal(await contact(`${state.agentId}.${state.secret}`), 401, 'the replaced secret');

    // A deleted agent's credential is nobody's.
    const pushState = JSON.parse(await readFile(join(pusher.dir, 'agent.json'), 'utf8'));
    assert.equal(await contact(`${pushState.agentId}.${pushState.secret}`), 200);
    assert.equal((await server.call('DELETE', `/api/v1/agents/${pusher.agentId}`)).status, 204);
    assert.equal(await contact(`${pushState.agentId}.${pushState.secret}`), 401, 'deleted');
  });
});
