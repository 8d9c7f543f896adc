import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

let h: EngineHarness;
afterEach(() => h?.cleanup());

const job = (name: string, params: Record<string, unknown> = {}) => ({ ...serverJob('noop', params), name });

async function jobsOf(runId: string) {
  const all = await h.store.jobstates.allOfRun(runId);
  return all.sort((a, b) => a.jobIndex - b.jobIndex).map((js) => `${js.job}:${js.status}`);
}

test('relaunching a run redoes only its failed (job, target) pairs, as a manual run', async () => {
  h = await startEngineHarness();
  const def = { schedule: { kind: 'manual' }, jobs: [job('a'), job('b', { failTimes: 1 }), job('c')] };
  const task = await h.addTask(def);
  const first = await h.engine.runNow(task.id, 'tester');
  await h.settle();
  assert.deepEqual(await jobsOf(first.id), ['a:finished', 'b:error', 'c:finished']);

  // The operator fixes the failing job, then relaunches: only b runs again.
  const fixed = { ...def, name: task.name, jobs: [job('a'), job('b'), job('c')] };
  await h.engine.updateTask(
    task.id,
    readTaskDef(fixed, { modules: createModuleRegistry(builtinModules({ testModules: true })), defaultTz: 'UTC' }),
    'tester',
  );
  const { run: again } = await h.engine.relaunchFailed(first.id, 'operator-1');
  await h.settle();
  assert.notEqual(again.id, first.id);
  assert.equal(again.reason, 'manual');
  assert.equal(again.createdBy, 'operator-1');
  assert.deepEqual(await jobsOf(again.id), ['b:finished']);
  assert.equal((await h.store.runs.get(again.id))?.status, 'finished');
});

test('a run without failures, a running run and an unknown run cannot be relaunched', async () => {
  h = await startEngineHarness();
  const ok = await h.addTask({ schedule: { kind: 'manual' }, jobs: [job('a')] });
  const done = await h.engine.runNow(ok.id, 'tester');
  await h.settle();
  await assert.rejects(h.engine.relaunchFailed(done.id, 'tester'), /has no failed target/);

  const slow = await h.addTask({ schedule: { kind: 'manual' }, jobs: [job('slow', { sleepMs: 60_000 })] });
  const running = await h.engine.runNow(slow.id, 'tester');
  await h.settle();
  await assert.rejects(h.engine.relaunchFailed(running.id, 'tester'), /still running/);

  await assert.rejects(h.engine.relaunchFailed('no-such-run', 'tester'), /run no-such-run not found/);
});
