// Issue 16: a fresh install's global `housekeeping` task (seeded once), run as a global
// task, prunes every org's old runs, logs and unused package files and keeps recent ones.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { GLOBAL_ORG_ID } from '../../src/core/global-tasks.ts';
import { newId } from '../../src/core/ids.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { seedGlobalDefaults } from '../../src/server/global-defaults.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const DAY = 86_400_000;
let h: EngineHarness;
afterEach(() => h?.cleanup());

const seed = () =>
  seedGlobalDefaults({
    store: h.store,
    engine: h.engine,
    modules: createModuleRegistry(builtinModules({ testModules: true })),
    clock: h.clock,
    defaultTz: 'UTC',
  });
const housekeeping = () => h.store.tasks.getByName(GLOBAL_ORG_ID, 'housekeeping');

test('a fresh install gets the global nightly housekeeping task with its documented defaults, once', async () => {
  h = await startEngineHarness();
  await seed();
  const task = await housekeeping();
  assert.ok(task, 'seeded');
  assert.deepEqual(task.schedule, { kind: 'cron', expr: '30 3 * * *', tz: 'UTC' });
  assert.deepEqual(task.jobs[0]?.targets, { server: true });
  assert.deepEqual(task.jobs[0]?.params, {
    keepRuns: 90 * 86_400,
    keepLogs: 30 * 86_400,
    keepUploads: 86_400,
    chunk: 500,
  });
  assert.ok((await h.store.triggers.get(task.id))?.nextFireAt, 'scheduled');

  await seed();
  const all = await h.store.tasks.list({ orgId: GLOBAL_ORG_ID }, { limit: 10 });
  assert.equal(all.items.length, 1, 'seeding again adds nothing');

  await h.engine.deleteTask(task.id, 'admin');
  await seed();
  assert.equal(await housekeeping(), null, 'a default the admin deleted is not created again');
});

test('run globally, housekeeping prunes every org’s old runs, logs and unused package files', async () => {
  h = await startEngineHarness();
  await seed();
  const orgB = await h.store.orgs.create({ id: newId(), name: 'org-b', createdAt: h.clock.now() });
  const tasks = [
    await h.addTask({ schedule: { kind: 'manual' }, jobs: [serverJob('noop', { log: 'org a work' })] }),
    await h.engine.createTask(
      orgB.id,
      readTaskDef(
        { name: 'b', schedule: { kind: 'manual' }, jobs: [serverJob('noop', { log: 'org b work' })] },
        { modules: createModuleRegistry(builtinModules({ testModules: true })), defaultTz: 'UTC' },
      ),
      'tester',
    ),
  ];
  const file = (orgId: string, n: number) => ({
    orgId,
    sha256: String(n).repeat(64),
    size: 1,
    createdAt: h.clock.now(),
  });
  for (const [i, orgId] of [h.orgId, orgB.id].entries()) {
    await h.store.packages.addFile(file(orgId, i + 1));
  }
  const runNow = async () => {
    const runs = [];
    for (const task of tasks) runs.push(await h.engine.runNow(task.id, 'tester'));
    await h.settle();
    return runs;
  };
  const old = await runNow();
  h.clock.advance(40 * DAY);
  const recent = await runNow();
  h.clock.advance(60 * DAY); // the old runs are 100 days old, the recent ones 60
  const fresh = file(orgB.id, 9);
  await h.store.packages.addFile(fresh);

  const task = await housekeeping();
  assert.ok(task);
  const run = await h.engine.runNow(task.id, 'admin');
  await h.settle();
  assert.equal((await h.store.runs.get(run.id))?.status, 'finished');

  for (const r of old) assert.equal(await h.store.runs.get(r.id), null, 'a run older than 90 days is pruned');
  for (const r of recent) {
    assert.equal((await h.store.runs.get(r.id))?.status, 'finished', 'a run of 60 days is kept');
    const [js] = await h.store.jobstates.allOfRun(r.id);
    assert.equal(await h.store.logs.count(js?.id as string), 0, 'its logs, older than 30 days, are pruned');
  }
  for (const [i, orgId] of [h.orgId, orgB.id].entries()) {
    assert.equal(await h.store.packages.getFile(orgId, file(orgId, i + 1).sha256), null, 'unused upload pruned');
  }
  assert.ok(await h.store.packages.getFile(orgB.id, fresh.sha256), 'an upload of today is kept');
  // What it just did is recent: its own run and logs stay.
  const [own] = await h.store.jobstates.allOfRun(run.id);
  assert.ok((await h.store.logs.count(own?.id as string)) > 0);
  assert.equal((await h.store.jobstates.get(own?.id as string))?.orgId, GLOBAL_ORG_ID);
});
