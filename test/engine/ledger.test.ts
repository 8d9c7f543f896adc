// The ledger keeps the last outcome of work that ran: a later run that skipped or cancelled
// the job before it started does not hide it.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const HOUR = 3_600_000;
let h: EngineHarness;
afterEach(() => h?.cleanup());

const modules = createModuleRegistry(builtinModules({ testModules: true }));
const twoJobs = (name: string, firstFails: number) =>
  readTaskDef(
    {
      name,
      schedule: { kind: 'manual' },
      jobs: [
        { name: 'prepare', module: 'noop', params: { failTimes: firstFails }, targets: { server: true } },
        { name: 'install', module: 'noop', params: {}, targets: { server: true }, startIf: 'success' },
      ],
    },
    { modules, defaultTz: 'UTC' },
  );

test('a job skipped by start_if leaves its last outcome in place', async () => {
  h = await startEngineHarness();
  const task = await h.engine.createTask(h.orgId, twoJobs('two-jobs', 0), 'tester');
  const first = await h.engine.runNow(task.id, 'tester');
  await h.settle();
  assert.equal((await h.store.runs.get(first.id))?.status, 'finished');
  await h.engine.updateTask(task.id, twoJobs('two-jobs', 1), 'tester');
  const second = await h.engine.runNow(task.id, 'tester');
  await h.settle();
  const jobs = await h.store.jobstates.allOfRun(second.id);
  assert.deepEqual(
    jobs.map((js) => [js.job, js.status]),
    [
      ['prepare', 'error'],
      ['install', 'skipped'],
    ],
  );
  const install = await h.store.ledger.get(task.id, 'install', 'server');
  assert.deepEqual([install?.status, install?.runId], ['finished', first.id]);
  const prepare = await h.store.ledger.get(task.id, 'prepare', 'server');
  assert.deepEqual([prepare?.status, prepare?.runId, prepare?.attempt], ['error', second.id, 1]);
});

test('a run cancelled before its job started leaves the last outcome in place', async () => {
  h = await startEngineHarness();
  const task = await h.addTask({ schedule: { kind: 'manual' }, jobs: [serverJob('noop', {}, { delay: '1h' })] });
  const first = await h.engine.runNow(task.id, 'tester');
  await h.settle();
  await h.advance(HOUR);
  assert.equal((await h.store.runs.get(first.id))?.status, 'finished');

  const second = await h.engine.runNow(task.id, 'tester');
  await h.settle();
  await h.engine.cancelRun(second.id);
  const [cancelled] = await h.store.jobstates.allOfRun(second.id);
  assert.equal(cancelled?.status, 'cancelled');
  const kept = await h.store.ledger.get(task.id, 'noop-job', 'server');
  assert.deepEqual([kept?.status, kept?.runId], ['finished', first.id]);
});
