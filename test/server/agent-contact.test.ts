// Contact and events over real HTTP: atomic claims, the long-poll, payloads rendered on
// the server, idempotent events, 409 / 410, agent_lost, disabled agents and isolation.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type AgentServer, echoJob, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';

/**
 * A contact whose connection is destroyed as soon as the server's answer starts to
 * arrive: the server committed what it handed out, the agent never reads it. Resolves with
 * the status line's code.
 */
function contactCutAfterReply(agent: TestAgent): Promise<number> {
  const body = JSON.stringify({ version: '1.0.0', modules: agent.modules, running: [], capacity: 10 });
  return new Promise((resolve, reject) => {
    const req = request(`${agent.base}/agent/v1/contact`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.credential}`, 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      res.socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('agent contact and events', () => {
  let s: AgentServer;
  before(async () => {
    s = await startAgentServer();
  });
  after(() => s.cleanup());

  /**
   * Runs a one-job task targeting `agents` `runs` times (jobs of one run would wait for
   * each other) and waits until every jobstate is prepared; returns the last run's id.
   */
  async function prepare(agents: TestAgent[], runs = 1, extra: Record<string, unknown> = {}): Promise<string> {
    const taskId = await s.task({
      concurrency: 'allow',
      jobs: [echoJob('say', { agents: agents.map((a) => a.id) })],
      ...extra,
    });
    const runIds: string[] = [];
    for (let i = 0; i < runs; i++) runIds.push(await s.run(taskId));
    await s.until(async () => {
      for (const runId of runIds) {
        const all = await s.store.jobstates.allOfRun(runId);
        if (all.length !== agents.length || all.some((js) => js.status !== 'prepared')) return false;
      }
      return true;
    }, 'jobs prepared');
    return runIds[runIds.length - 1] as string;
  }

  test('a job arrives with its argv rendered on the server; the agent never sees the template', async () => {
    const agent = await s.enrol();
    await prepare([agent]);
    const { jobs, stop } = await agent.take();
    assert.deepEqual(stop, []);
    assert.equal(jobs.length, 1);
    const job = jobs[0] as (typeof jobs)[number];
    assert.deepEqual(job.payload, { command: 'agent-echo', argv: ['echo', 'hi'], timeoutSeconds: 60 });
    assert.equal(job.attempt, 1);
    const js = await s.store.jobstates.get(job.jobstate);
    assert.equal(js?.status, 'running');
    assert.equal(js?.runner, 'agent');
    assert.ok((await s.store.agents.get(agent.id))?.lastContactAt, 'the contact is recorded');
  });

  test('the zone an agent reports at enrolment and contact is kept; an unknown zone is refused naming timezone', async () => {
    const agent = await s.enrol({ timezone: 'Europe/Paris' });
    assert.equal((await s.store.agents.get(agent.id))?.timezone, 'Europe/Paris');
    const bad = await agent.contact({ timezone: 'Mars/Olympus' });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.json), /timezone/);
    assert.equal((await s.store.agents.get(agent.id))?.timezone, 'Europe/Paris', 'nothing changed');
    assert.equal((await agent.contact({ timezone: 'America/New_York' })).status, 200);
    assert.equal((await s.store.agents.get(agent.id))?.timezone, 'America/New_York');
  });

  test('concurrent contacts never get the same jobstate, for two agents or for one', async () => {
    const [a, b] = [await s.enrol(), await s.enrol()];
    await prepare([a, b], 6);
    const replies = await Promise.all([a.take({ capacity: 4 }), a.take({ capacity: 4 }), b.take({ capacity: 6 })]);
    const ofA = [...(replies[0]?.jobs ?? []), ...(replies[1]?.jobs ?? [])].map((j) => j.jobstate);
    const ofB = (replies[2]?.jobs ?? []).map((j) => j.jobstate);
    assert.equal(new Set(ofA).size, ofA.length, 'one agent got a jobstate twice');
    assert.equal(ofA.length, 6);
    assert.equal(ofB.length, 6);
    for (const id of ofA) assert.equal((await s.store.jobstates.get(id))?.agentId, a.id);
    for (const id of ofB) assert.equal((await s.store.jobstates.get(id))?.agentId, b.id);
  });

  test('a long-polling contact is answered within a second of work being prepared', async () => {
    const agent = await s.enrol();
    const taskId = await s.task({ jobs: [echoJob('say', { agents: [agent.id] })] });
    const polling = agent.take({ wait: 30 });
    await s.until(async () => (await s.store.agents.get(agent.id))?.lastContactAt != null, 'the agent waits');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await s.run(taskId);
    const { jobs } = await polling;
    const elapsed = performance.now() - started;
    assert.equal(jobs.length, 1);
    assert.ok(elapsed < 1000, `answered after ${Math.round(elapsed)} ms`);
  });

  test('events apply each seq once: a resent batch applies nothing', async () => {
    const agent = await s.enrol();
    await prepare([agent]);
    const job = await agent.takeOne();
    const ts = Date.now();
    const batch = [
      { seq: 1, ts, type: 'started' as const },
      { seq: 2, ts, type: 'log' as const, stream: 'stdout' as const, line: 'hi' },
      { seq: 3, ts, type: 'log' as const, stream: 'stderr' as const, line: 'warning' },
      { seq: 4, ts, type: 'progress' as const, percent: 40, message: 'copying' },
    ];
    assert.deepEqual((await agent.events(job.jobstate, 1, batch)).json, { applied: 4, lastSeq: 4 });
    assert.deepEqual((await agent.events(job.jobstate, 1, batch)).json, { applied: 0, lastSeq: 4 });
    const view = await s.expect(200, 'GET', `/api/v1/jobstates/${job.jobstate}`, { token: s.orgAdmin });
    assert.equal(view.json.progress.percent, 40);
    assert.equal(view.json.progress.message, 'copying');
    const end = [...batch, { seq: 5, ts, type: 'finished' as const, result: { exitCode: 0 } }];
    assert.deepEqual((await agent.events(job.jobstate, 1, end)).json, { applied: 1, lastSeq: 5 });
    assert.deepEqual((await agent.events(job.jobstate, 1, end)).json, { applied: 0, lastSeq: 5 });
    const done = await s.expect(200, 'GET', `/api/v1/jobstates/${job.jobstate}`, { token: s.orgAdmin });
    assert.equal(done.json.status, 'finished');
    assert.deepEqual(done.json.result, { exitCode: 0 });
    const logs = await s.expect(200, 'GET', `/api/v1/jobstates/${job.jobstate}/logs`, { token: s.orgAdmin });
    assert.deepEqual(
      logs.json.items.map((l: { stream: string; line: string }) => `${l.stream}:${l.line}`),
      ['stdout:hi', 'stderr:warning'],
    );
  });

  test('an older attempt gets 409 once the job was retried; a cancelled job gets 410 and is stopped', async () => {
    const agent = await s.enrol();
    const retried = echoJob('flaky', { agents: [agent.id] }, { retry: { attempts: 1, backoff: '1h' } });
    await s.run(await s.task({ jobs: [retried] }));
    await s.until(
      async () => (await s.store.jobstates.listForAgent(agent.id, { statuses: ['prepared'] }, 10)).length === 1,
      'prepared',
    );
    const job = await agent.takeOne();
    await agent.finish(job.jobstate, 1, false, { exitCode: 3 });
    const now = await s.store.jobstates.get(job.jobstate);
    assert.deepEqual([now?.status, now?.attempt, now?.eventSeq], ['waiting', 2, 0]);
    const late = await agent.events(job.jobstate, 1, [
      { seq: 9, ts: Date.now(), type: 'log', stream: 'stdout', line: 'late' },
    ]);
    assert.equal(late.status, 409);
    assert.equal(late.json.error.code, 'stale_attempt');

    const runId = await prepare([agent]);
    const next = await agent.takeOne();
    await s.expect(200, 'POST', `/api/v1/runs/${runId}/cancel`, { token: s.orgAdmin });
    const gone = await agent.events(next.jobstate, 1, [{ seq: 1, ts: Date.now(), type: 'started' }]);
    assert.equal(gone.status, 410);
    const { stop } = await agent.take({ running: [next.jobstate], capacity: 0 });
    assert.deepEqual(stop, [next.jobstate]);
  });

  test('a job the agent started and no longer lists ends agent_lost', async () => {
    const agent = await s.enrol();
    const runId = await prepare([agent]);
    const job = await agent.takeOne();
    const started = await agent.events(job.jobstate, job.attempt, [
      { seq: ++agent.seq, ts: Date.now(), type: 'started' },
    ]);
    assert.equal(started.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const still = await agent.take({ running: [job.jobstate], capacity: 0 });
    assert.deepEqual(still.stop, []);
    assert.equal((await s.store.jobstates.get(job.jobstate))?.status, 'running');
    await agent.take({ running: [], capacity: 0 });
    const lost = await s.store.jobstates.get(job.jobstate);
    assert.deepEqual([lost?.status, lost?.reason], ['error', 'agent_lost']);
    assert.equal((await s.store.runs.get(runId))?.status, 'error');
  });

  test('a job whose reply the agent never received (connection cut after the claim) is offered again, once', async () => {
    const agent = await s.enrol();
    const runId = await prepare([agent]);
    const cut = await contactCutAfterReply(agent);
    const claimed = (await s.store.jobstates.allOfRun(runId))[0];
    assert.equal(claimed?.status, 'running', `the server committed the claim before it answered (${cut})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Old behaviour: this contact ended the job agent_lost and the run in error.
    const again = await agent.takeOne({ running: [], replyLost: true });
    assert.deepEqual([again.jobstate, again.attempt], [claimed?.id, 1]);
    assert.deepEqual((await agent.take({ running: [again.jobstate] })).jobs, [], 'handed out once');
    await agent.finish(again.jobstate, again.attempt, true);
    const js = await s.store.jobstates.get(again.jobstate);
    assert.deepEqual([js?.status, js?.attempt], ['finished', 1]);
    assert.equal((await s.store.runs.get(runId))?.status, 'finished');
  });

  test('a disabled agent gets 403 on contact and no new jobstates', async () => {
    const [on, off] = [await s.enrol({ tags: ['floor-2'] }), await s.enrol({ tags: ['floor-2'] })];
    const { token: viewer } = await s.createUser(s.orgId, `v-${Date.now()}`, 'viewer');
    await s.expect(403, 'PATCH', `/api/v1/agents/${off.id}`, { token: viewer, body: { enabled: false } });
    const patched = await s.expect(200, 'PATCH', `/api/v1/agents/${off.id}`, {
      token: s.orgAdmin,
      body: { enabled: false, name: 'spare' },
    });
    assert.deepEqual([patched.json.enabled, patched.json.name], [false, 'spare']);
    const forbidden = await off.contact();
    assert.equal(forbidden.status, 403);
    const runId = await s.run(await s.task({ jobs: [echoJob('say', { tags: ['floor-2'] })] }));
    assert.deepEqual(
      (await s.store.jobstates.allOfRun(runId)).map((js) => js.agentId),
      [on.id],
    );
    await s.expect(200, 'PATCH', `/api/v1/agents/${off.id}`, { token: s.orgAdmin, body: { enabled: true } });
    assert.equal((await off.contact()).status, 200);
  });

  test("a body cannot name another agent; another agent's jobstate is not found and stays as it was", async () => {
    const [a, b] = [await s.enrol(), await s.enrol()];
    await prepare([a]);
    const job = await a.takeOne();
    const intruding = await b.contact({ agentId: a.id } as never);
    assert.equal(intruding.status, 400);
    assert.equal(intruding.json.error.details.field, 'agentId');
    const hijack = await b.events(job.jobstate, 1, [{ seq: 1, ts: Date.now(), type: 'finished' }]);
    assert.equal(hijack.status, 404);
    const stop = await b.take({ running: [job.jobstate], capacity: 0 });
    assert.deepEqual(stop.stop, [job.jobstate], 'b is told to stop what is not its own');
    const js = await s.store.jobstates.get(job.jobstate);
    assert.deepEqual([js?.status, js?.eventSeq], ['running', 0]);
    const big = await b.events(job.jobstate, 1, [
      { seq: 1, ts: 0, type: 'log', stream: 'stdout', line: 'x'.repeat(8000) },
      ...Array.from({ length: 40 }, (_, i) => ({
        seq: i + 2,
        ts: 0,
        type: 'log' as const,
        stream: 'stdout' as const,
        line: 'y'.repeat(8000),
      })),
    ]);
    assert.equal(big.status, 413, 'an events batch is limited to 256 KiB');
  });
});
