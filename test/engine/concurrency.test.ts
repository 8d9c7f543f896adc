import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const MINUTE = 60_000;
let h: EngineHarness;
afterEach(() => h?.cleanup());

/** A manual task whose single job takes 10 minutes of (fake) clock time. */
async function slowTask(concurrency: string) {
  return h.addTask({ concurrency, schedule: { kind: 'manual' }, jobs: [serverJob('noop', { sleepMs: 10 * MINUTE })] });
}

describe('concurrency policies', () => {
  test('forbid: a run while another runs is recorded skipped', async () => {
    h = await startEngineHarness();
    const task = await slowTask('forbid');
    const first = await h.engine.runNow(task.id, 'tester');
    await h.engine.tick();
    const second = await h.engine.runNow(task.id, 'tester');
    assert.equal(second.status, 'skipped');
    assert.equal(second.statusReason, 'overlap');
    const [js] = await h.store.jobstates.allOfRun(second.id);
    assert.equal(js?.status, 'skipped');
    await h.advance(10 * MINUTE);
    assert.equal((await h.store.runs.get(first.id))?.status, 'finished');
  });

  test('replace: the running run is cancelled and the new one runs', async () => {
    h = await startEngineHarness();
    const task = await slowTask('replace');
    const first = await h.engine.runNow(task.id, 'tester');
    await h.engine.tick();
    assert.equal((await h.store.jobstates.allOfRun(first.id))[0]?.status, 'running');
    const second = await h.engine.runNow(task.id, 'tester');
    assert.equal(second.status, 'running');
    const old = await h.store.runs.get(first.id);
    assert.equal(old?.status, 'cancelled');
    assert.equal(old?.statusReason, 'replaced');
    assert.equal((await h.store.jobstates.allOfRun(first.id))[0]?.reason, 'replaced');
    await h.settle();
    await h.advance(10 * MINUTE);
    assert.equal((await h.store.runs.get(second.id))?.status, 'finished');
    assert.equal((await h.store.runs.get(first.id))?.status, 'cancelled', 'a replaced run stays cancelled');
  });

  test('queue: the new run waits for the running one, then runs', async () => {
    h = await startEngineHarness();
    const task = await slowTask('queue');
    const first = await h.engine.runNow(task.id, 'tester');
    await h.engine.tick();
    const second = await h.engine.runNow(task.id, 'tester');
    const third = await h.engine.runNow(task.id, 'tester');
    assert.equal(second.status, 'pending');
    assert.equal(third.status, 'pending');
    await h.advance(10 * MINUTE);
    assert.equal((await h.store.runs.get(first.id))?.status, 'finished');
    assert.equal((await h.store.runs.get(second.id))?.status, 'running');
    assert.equal((await h.store.runs.get(third.id))?.status, 'pending', 'first in, first out');
    await h.advance(10 * MINUTE);
    await h.advance(10 * MINUTE);
    assert.equal((await h.store.runs.get(third.id))?.status, 'finished');
  });

  test('allow: runs overlap', async () => {
    h = await startEngineHarness();
    const task = await slowTask('allow');
    const first = await h.engine.runNow(task.id, 'tester');
    await h.engine.tick();
    const second = await h.engine.runNow(task.id, 'tester');
    await h.engine.tick();
    assert.equal((await h.store.jobstates.allOfRun(first.id))[0]?.status, 'running');
    assert.equal((await h.store.jobstates.allOfRun(second.id))[0]?.status, 'running');
    await h.advance(10 * MINUTE);
    assert.equal((await h.store.runs.get(second.id))?.status, 'finished');
  });

  test('cancelling a run stops its running job and ends it cancelled_by_user', async () => {
    h = await startEngineHarness();
    const task = await slowTask('forbid');
    const run = await h.engine.runNow(task.id, 'tester');
    await h.engine.tick();
    const cancelled = await h.engine.cancelRun(run.id);
    assert.equal(cancelled.status, 'cancelled');
    await h.settle();
    const [js] = await h.store.jobstates.allOfRun(run.id);
    assert.deepEqual([js?.status, js?.reason], ['cancelled', 'cancelled_by_user']);
    await assert.rejects(h.engine.cancelRun(run.id), /already cancelled/);
  });
});
