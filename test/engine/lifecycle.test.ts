import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let h: EngineHarness;
afterEach(() => h?.cleanup());

async function statesOf(runId: string) {
  const all = await h.store.jobstates.allOfRun(runId);
  return all
    .sort((a, b) => a.jobIndex - b.jobIndex)
    .map((js) => `${js.job}:${js.status}${js.reason ? `(${js.reason})` : ''}`);
}

async function runTask(jobs: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const task = await h.addTask({ schedule: { kind: 'manual' }, jobs, ...extra });
  const run = await h.engine.runNow(task.id, 'tester');
  await h.settle();
  return { task, run };
}

describe('sequencing: delays and startIf', () => {
  const ok = (name: string, extra = {}) => ({ ...serverJob('noop'), name, ...extra });
  const failing = (name: string, extra = {}) => ({ ...serverJob('noop', { failTimes: 1 }), name, ...extra });

  for (const [label, jobs, expected, runStatus] of [
    [
      'success after success runs',
      [ok('a'), ok('b', { startIf: 'success' })],
      ['a:finished', 'b:finished'],
      'finished',
    ],
    [
      'success after failure is skipped',
      [failing('a'), ok('b', { startIf: 'success' })],
      ['a:error(module_failed)', 'b:skipped(start_if_unmet)'],
      'error',
    ],
    [
      'failure after failure runs',
      [failing('a'), ok('b', { startIf: 'failure' })],
      ['a:error(module_failed)', 'b:finished'],
      'error',
    ],
    [
      'failure after success is skipped',
      [ok('a'), ok('b', { startIf: 'failure' })],
      ['a:finished', 'b:skipped(start_if_unmet)'],
      'finished',
    ],
    ['always after failure runs', [failing('a'), ok('b')], ['a:error(module_failed)', 'b:finished'], 'error'],
    [
      'a skipped job skips a success chain after it',
      [failing('a'), ok('b', { startIf: 'success' }), ok('c', { startIf: 'success' })],
      ['a:error(module_failed)', 'b:skipped(start_if_unmet)', 'c:skipped(start_if_unmet)'],
      'error',
    ],
  ] as const) {
    test(label, async () => {
      h = await startEngineHarness();
      const { run } = await runTask([...jobs]);
      assert.deepEqual(await statesOf(run.id), expected);
      assert.equal((await h.store.runs.get(run.id))?.status, runStatus);
    });
  }

  test("the seed's t+0 / t+2h sequence: every jobstate exists from the start, the delayed one waits", async () => {
    h = await startEngineHarness();
    const { run } = await runTask([ok('wake'), ok('deploy-1'), ok('deploy-2', { delay: '2h' })]);
    assert.deepEqual(await statesOf(run.id), ['wake:finished', 'deploy-1:finished', 'deploy-2:waiting(delay)']);
    const delayed = (await h.store.jobstates.allOfRun(run.id)).find((js) => js.job === 'deploy-2');
    assert.equal(delayed?.dueAt, (await h.store.runs.get(run.id))!.startedAt! + 2 * HOUR);
    await h.advance(HOUR);
    assert.deepEqual(await statesOf(run.id), ['wake:finished', 'deploy-1:finished', 'deploy-2:waiting(delay)']);
    await h.advance(HOUR);
    assert.deepEqual(await statesOf(run.id), ['wake:finished', 'deploy-1:finished', 'deploy-2:finished']);
    assert.equal((await h.store.runs.get(run.id))?.status, 'finished');
  });
});

describe('gates: timeslots and serial modules', () => {
  test('a jobstate becomes prepared only inside the task timeslots', async () => {
    h = await startEngineHarness({ start: '2026-12-01T00:00:00Z' }); // a Tuesday
    const { run } = await runTask([serverJob('noop')], { timeslots: [{ day: 1, from: '08:00', to: '09:00' }] });
    const [js] = await h.store.jobstates.allOfRun(run.id);
    assert.deepEqual(
      [js?.status, js?.reason, js?.dueAt],
      ['waiting', 'timeslot_closed', Date.parse('2026-12-01T08:00:00Z')],
    );
    await h.advance(8 * HOUR - MINUTE);
    assert.equal((await h.store.jobstates.get(js!.id))?.status, 'waiting');
    await h.advance(MINUTE);
    assert.equal((await h.store.jobstates.get(js!.id))?.status, 'finished');
  });

  test('a non-parallelizable module waits (postponed) while another of it runs in the org', async () => {
    h = await startEngineHarness();
    const slow = serverJob('noop-serial', { sleepMs: 10 * MINUTE });
    const a = await h.addTask({ schedule: { kind: 'manual' }, jobs: [slow] });
    const b = await h.addTask({ schedule: { kind: 'manual' }, jobs: [slow] });
    const runA = await h.engine.runNow(a.id, 'tester');
    const runB = await h.engine.runNow(b.id, 'tester');
    await h.engine.tick();
    assert.deepEqual(await statesOf(runA.id), ['noop-serial-job:running']);
    assert.deepEqual(await statesOf(runB.id), ['noop-serial-job:waiting(postponed)']);
    await h.advance(10 * MINUTE);
    assert.equal((await h.store.runs.get(runA.id))?.status, 'finished');
    assert.deepEqual(await statesOf(runB.id), ['noop-serial-job:running']);
    await h.advance(10 * MINUTE);
    assert.equal((await h.store.runs.get(runB.id))?.status, 'finished');
  });
});

describe('timeouts and retries', () => {
  test('running past its timeout ends the jobstate error/timeout and stops it', async () => {
    h = await startEngineHarness();
    const { run } = await runTask([serverJob('noop', { sleepMs: 10 * MINUTE }, { timeout: '5m' })]);
    assert.deepEqual(await statesOf(run.id), ['noop-job:running']);
    await h.advance(5 * MINUTE);
    assert.deepEqual(await statesOf(run.id), ['noop-job:error(timeout)']);
    assert.equal((await h.store.runs.get(run.id))?.status, 'error');
  });

  test('a failed attempt is retried after the backoff with the params onError chose', async () => {
    h = await startEngineHarness();
    const { run } = await runTask([serverJob('noop', { failTimes: 2 }, { retry: { attempts: 2, backoff: '1m' } })]);
    let [js] = await h.store.jobstates.allOfRun(run.id);
    assert.deepEqual([js?.status, js?.reason, js?.attempt, js?.params.retried], ['waiting', 'retry_backoff', 2, 1]);
    await h.advance(MINUTE);
    [js] = await h.store.jobstates.allOfRun(run.id);
    assert.deepEqual([js?.status, js?.attempt, js?.params.retried], ['waiting', 3, 2]);
    await h.advance(MINUTE);
    [js] = await h.store.jobstates.allOfRun(run.id);
    assert.deepEqual([js?.status, js?.attempt], ['finished', 3]);
    const logs = (await h.store.logs.list(js!.id, { limit: 100 })).items.map((l) => l.line);
    assert.ok(logs.includes('attempt 1 failed (module_failed); retrying in 60s'), logs.join('\n'));
    assert.equal((await h.store.runs.get(run.id))?.status, 'finished');
  });

  test('retries run out: the last error stands', async () => {
    h = await startEngineHarness();
    const { run } = await runTask([serverJob('noop', { failTimes: 5 }, { retry: { attempts: 1, backoff: '1m' } })]);
    await h.advance(MINUTE);
    const [js] = await h.store.jobstates.allOfRun(run.id);
    assert.deepEqual([js?.status, js?.reason, js?.attempt], ['error', 'module_failed', 2]);
  });

  test('a report for an older attempt is refused', async () => {
    h = await startEngineHarness();
    const { run } = await runTask([serverJob('noop', { failTimes: 1 }, { retry: { attempts: 1, backoff: '1m' } })]);
    const [js] = await h.store.jobstates.allOfRun(run.id);
    const stale = await h.store.jobstates.update(
      js!.id,
      { status: 'finished', updatedAt: 0 },
      { status: ['waiting'], attempt: 1 },
    );
    assert.equal(stale, false);
  });
});

describe('chunked server jobs', () => {
  test('a chunked job checkpoints between chunks and ends once', async () => {
    h = await startEngineHarness();
    const { run } = await runTask([serverJob('noop', { chunks: 3 })]);
    const [js] = await h.store.jobstates.allOfRun(run.id);
    assert.deepEqual([js?.status, js?.result], ['finished', { chunks: 3, attempt: 1 }]);
    const lines = (await h.store.logs.list(js!.id, { limit: 100 })).items.map((l) => l.line);
    assert.deepEqual(lines, ['chunk 1/3', 'chunk 2/3', 'chunk 3/3']);
  });

  test("a dead node's chunked job resumes from its checkpoint once the lease lapses", async () => {
    h = await startEngineHarness({ options: { leaseMs: 30_000 } });
    const task = await h.addTask({ schedule: { kind: 'manual' }, jobs: [serverJob('noop', { chunks: 4 })] });
    const run = await h.engine.runNow(task.id, 'tester');
    // Another node claims the job, records two chunks, and dies. (Ours is kept from
    // claiming it meanwhile by a zero-slot executor.)
    h.engine.ctx.options.executorConcurrency = 0;
    await h.engine.tick();
    h.engine.ctx.options.executorConcurrency = 4;
    assert.equal((await h.store.jobstates.allOfRun(run.id))[0]?.status, 'prepared');
    const [claimed] = await h.store.jobstates.claimServer('dead-node', h.clock.now(), h.clock.now() + 30_000, 1);
    assert.ok(claimed, 'the other node claimed it');
    await h.store.jobstates.update(claimed.id, { checkpoint: { done: 2 }, updatedAt: h.clock.now() });
    await h.settle();
    assert.equal((await h.store.jobstates.get(claimed.id))?.status, 'running', 'still leased to the dead node');
    await h.advance(31_000);
    const js = await h.store.jobstates.get(claimed.id);
    assert.deepEqual([js?.status, js?.result], ['finished', { chunks: 4, attempt: 1 }]);
    const lines = (await h.store.logs.list(claimed.id, { limit: 100 })).items.map((l) => l.line);
    assert.deepEqual(lines, [
      'the node running this job stopped; resuming from its last checkpoint',
      'chunk 3/4',
      'chunk 4/4',
    ]);
    // The dead node's late write names a lease it lost: refused.
    const late = await h.store.jobstates.update(
      claimed.id,
      { status: 'error', updatedAt: h.clock.now() },
      { status: ['running'], leaseOwner: 'dead-node', attempt: 1 },
    );
    assert.equal(late, false);
  });
});
