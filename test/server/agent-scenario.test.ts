// A two-job task over three agents, driven over real HTTP on a fake clock: the second job
// starts an hour after the run and only where the first succeeded. One agent's first job
// fails, so its second is skipped while the others finish; the diagnostics say what each
// job waits for along the way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import type { Jobstate } from '../../src/core/model.ts';
import { type AgentServer, echoJob, startAgentServer } from '../support/agent-protocol.ts';

const HOUR = 3_600_000;
const T0 = '2026-12-01T08:00:00.000Z';

describe('a two-job task over three agents', () => {
  let s: AgentServer;
  const clock = new FakeClock(T0);
  before(async () => {
    s = await startAgentServer({ clock });
  });
  after(() => s.cleanup());

  test('delay + startIf success: a failed first job skips that agent’s second; the others finish', async () => {
    const [a, b, c] = [
      await s.enrol({ tags: ['office'] }),
      await s.enrol({ tags: ['office'] }),
      await s.enrol({ tags: ['office'] }),
    ] as const;
    const office = { tags: ['office'] };
    const taskId = await s.task({
      jobs: [echoJob('first', office), echoJob('second', office, { delay: '1h', startIf: 'success' })],
    });
    const runId = await s.run(taskId);
    const jobsOf = async (agentId: string) =>
      (await s.store.jobstates.allOfRun(runId)).filter((js) => js.agentId === agentId) as [Jobstate, Jobstate];
    const statusesOf = async (agentId: string) => (await jobsOf(agentId)).map((js) => js.status);
    const why = async (agentId: string) =>
      (await s.expect(200, 'GET', `/api/v1/agents/${agentId}/diagnostics`, { token: s.orgAdmin })).json.items.map(
        (i: { job: string; code: string; message: string }) => `${i.job}: ${i.code}: ${i.message}`,
      );

    await s.until(async () => (await statusesOf(a.id))[0] === 'prepared', 'the first jobs are prepared');
    assert.deepEqual(await why(a.id), [
      'first: prepared: prepared since 2026-12-01T08:00:00.000Z — the agent has never contacted the server; it expires at 2026-12-02T08:00:00.000Z',
      'second: delay: delay until 2026-12-01T09:00:00.000Z',
    ]);

    const firstOf = async (agent: typeof a) => {
      const [job] = (await agent.take()).jobs;
      assert.ok(job, 'the agent gets its first job');
      return job.jobstate;
    };
    const [firstA, firstB, firstC] = [await firstOf(a), await firstOf(b), await firstOf(c)];
    await b.finish(firstB, 1, true, { exitCode: 0 });
    await c.finish(firstC, 1, false, { exitCode: 1 });

    clock.advance(HOUR);
    await s.until(async () => (await statusesOf(c.id))[1] === 'skipped', "c's second job is skipped");
    await s.until(async () => (await statusesOf(b.id))[1] === 'prepared', "b's second job is prepared");
    await s.until(async () => (await jobsOf(a.id))[1].reason === 'waiting_previous', "a's second waits on its first");
    assert.deepEqual(await why(a.id), [
      'first: running: running on the agent since 2026-12-01T08:00:00.000Z; times out at 2026-12-01T10:00:00.000Z',
      'second: waiting_previous: waiting on job "first" (startIf success)',
    ]);
    assert.equal((await jobsOf(c.id))[1].reason, 'start_if_unmet');

    await a.finish(firstA, 1, true, { exitCode: 0 });
    await s.until(async () => (await statusesOf(a.id))[1] === 'prepared', "a's second job is prepared");
    for (const agent of [a, b]) {
      const [job] = (await agent.take()).jobs;
      assert.ok(job);
      await agent.finish(job.jobstate, 1, true, { exitCode: 0 });
    }
    await s.until(async () => (await s.store.runs.get(runId))?.status === 'error', 'the run ends');
    assert.deepEqual(await statusesOf(a.id), ['finished', 'finished']);
    assert.deepEqual(await statusesOf(b.id), ['finished', 'finished']);
    assert.deepEqual(await statusesOf(c.id), ['error', 'skipped']);
    assert.deepEqual(await why(a.id), []);
    const run = await s.expect(200, 'GET', `/api/v1/runs/${runId}`, { token: s.orgAdmin });
    assert.deepEqual(run.json.counts, {
      waiting: 0,
      prepared: 0,
      running: 0,
      finished: 4,
      error: 1,
      cancelled: 0,
      skipped: 1,
    });
    // c has not called since the clock moved an hour on: past two contact periods, offline.
    const listed = await s.expect(200, 'GET', '/api/v1/agents?tag=office', { token: s.orgAdmin });
    assert.deepEqual(
      listed.json.items.map((x: { id: string; presence: string }) => [x.id, x.presence]),
      [
        [a.id, 'online'],
        [b.id, 'online'],
        [c.id, 'offline'],
      ],
    );
  });
});
