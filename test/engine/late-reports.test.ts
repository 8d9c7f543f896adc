// The server's side of an agent job's timeout (engine/late-reports.ts): it waits for the
// agent's own report until the timeout plus the grace, then gives up on the attempt; a
// report that comes later (a paused agent resumed) never makes finished work run again.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Agent, Jobstate } from '../../src/core/model.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/engine/context.ts';
import { makeAgent, makeCommand } from '../store/fixtures.ts';
import { type EngineHarness, startEngineHarness } from '../support/engine.ts';

const MINUTE = 60_000;
const GRACE = DEFAULT_ENGINE_OPTIONS.agentGraceMs;

describe('late agent reports', () => {
  let h: EngineHarness;
  let agent: Agent;
  beforeEach(async () => {
    h = await startEngineHarness();
    agent = await h.store.agents.create(makeAgent(h.orgId, { tags: ['lab'], createdAt: h.clock.now() }));
    await h.store.commands.upsert(
      makeCommand(h.orgId, { name: 'hello', argv: ['echo', 'hello'], params: {}, runsOn: 'agent' }),
    );
  });
  afterEach(() => h.cleanup());

  const reload = async (js: { id: string }) => (await h.store.jobstates.get(js.id)) as Jobstate;
  const logOf = async (js: { id: string }, attempt: number) =>
    (await h.store.logs.list(js.id, { limit: 100 })).items.filter((l) => l.attempt === attempt).map((l) => l.line);
  const report = (js: Jobstate, attempt: number, end: 'finished' | 'error') =>
    h.engine.agents.applyEvents(agent.id, js.id, attempt, [
      { seq: 1, ts: h.clock.now(), type: 'started' },
      { seq: 2, ts: h.clock.now(), type: 'log', stream: 'stdout', line: 'hello' },
      end === 'finished'
        ? { seq: 3, ts: h.clock.now(), type: 'finished', result: { exitCode: 0 } }
        : { seq: 3, ts: h.clock.now(), type: 'error', reason: 'module_failed', result: { exitCode: 1 } },
    ]);

  /** A 10 min job with `attempts` retries, claimed by the agent: attempt 1 runs there. */
  async function claimed(attempts: number): Promise<Jobstate> {
    const job = { name: 'hello', module: 'command', params: { command: 'hello' }, targets: { tags: ['lab'] } };
    const task = await h.addTask({
      schedule: { kind: 'manual' },
      jobs: [{ ...job, timeout: '10m', retry: { attempts, backoff: '1m' } }],
    });
    await h.engine.runNow(task.id, 'tester');
    await h.settle();
    const [work] = await h.engine.agents.claim(agent, 1);
    assert.ok(work);
    return reload({ id: work.jobstate });
  }

  test('the server waits for the agent until the timeout plus the grace, then gives up on the attempt', async () => {
    const js = await claimed(0);
    await h.advance(10 * MINUTE);
    assert.equal((await reload(js)).status, 'running', 'the agent enforces the timeout and reports it');
    await h.advance(GRACE - 1000);
    assert.equal((await reload(js)).status, 'running');
    await h.advance(1000);
    const given = await reload(js);
    assert.deepEqual([given.status, given.reason], ['error', 'timeout']);
    assert.match(String((given.result as { error: string }).error), /no outcome from its agent within .* and a grace/);
  });

  test('a late `finished` while the retry waits: the jobstate ends finished as that attempt, the retry never runs', async () => {
    const js = await claimed(1);
    await h.advance(10 * MINUTE + GRACE);
    assert.deepEqual([(await reload(js)).status, (await reload(js)).attempt], ['waiting', 2]);
    // The agent still lists it: not told to stop, and not handed the retry.
    assert.deepEqual(await h.engine.agents.reconcile(agent.id, [js.id], h.clock.now()), []);
    await h.advance(MINUTE);
    assert.equal((await reload(js)).status, 'prepared');
    assert.deepEqual(await h.engine.agents.claim(agent, 1, { holding: [js.id] }), []);

    assert.deepEqual(await report(js, 1, 'finished'), { applied: 3, lastSeq: 3 });
    const done = await reload(js);
    assert.deepEqual([done.status, done.attempt, done.result], ['finished', 1, { exitCode: 0 }]);
    assert.deepEqual(await logOf(js, 1), [
      'attempt 1 failed (timeout); retrying in 60s',
      'hello',
      'late report: attempt 1 finished after the server had given up on it; attempt 2 is not run',
    ]);
    assert.equal((await h.store.runs.get(js.runId))?.status, 'finished');
    assert.deepEqual(await h.engine.agents.claim(agent, 1), [], 'nothing left to run');
    assert.deepEqual(await report(js, 1, 'finished'), { applied: 0, lastSeq: 3 }, 'a resend is a duplicate');
  });

  test('a late error is recorded and the retry goes ahead', async () => {
    const js = await claimed(1);
    await h.advance(10 * MINUTE + GRACE);
    await h.advance(MINUTE);
    await report(js, 1, 'error');
    const still = await reload(js);
    assert.deepEqual([still.status, still.attempt], ['prepared', 2]);
    assert.match(
      (await logOf(js, 1)).at(-1) ?? '',
      /^late report: attempt 1 failed \(module_failed\).*attempt 2 goes ahead$/,
    );
    const [retry] = await h.engine.agents.claim(agent, 1);
    assert.equal(retry?.attempt, 2);
  });

  test('after the last attempt a late report is recorded only; its resend is a duplicate', async () => {
    const js = await claimed(0);
    await h.advance(10 * MINUTE + GRACE);
    assert.deepEqual(await h.engine.agents.reconcile(agent.id, [js.id], h.clock.now()), [], 'its report is wanted');
    assert.deepEqual(await report(js, 1, 'finished'), { applied: 3, lastSeq: 3 });
    const ended = await reload(js);
    assert.deepEqual([ended.status, ended.reason], ['error', 'timeout']);
    assert.deepEqual((await logOf(js, 1)).slice(-2), [
      'hello',
      'late report: the agent says attempt 1 finished, after the server had given up on it; recorded only',
    ]);
    assert.deepEqual(await report(js, 1, 'finished'), { applied: 0, lastSeq: 3 });
  });

  test('a cancelled job is still stopped, and its events refused', async () => {
    const js = await claimed(1);
    await h.engine.cancelRun(js.runId);
    assert.deepEqual(await h.engine.agents.reconcile(agent.id, [js.id], h.clock.now()), [js.id]);
    await assert.rejects(report(js, 1, 'finished'), (err: Error & { code?: string }) => err.code === 'jobstate_ended');
  });
});
