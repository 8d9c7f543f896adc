import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const DAY = 86_400_000;
let h: EngineHarness;
afterEach(() => h?.cleanup());

test('housekeeping prunes old runs and logs but never the ledger', async () => {
  h = await startEngineHarness();
  const work = await h.addTask({ schedule: { kind: 'manual' }, jobs: [serverJob('noop', { log: 'did the work' })] });
  const oldRun = await h.engine.runNow(work.id, 'tester');
  await h.settle();
  const [oldJs] = await h.store.jobstates.allOfRun(oldRun.id);
  assert.equal((await h.store.logs.count(oldJs!.id)) > 0, true);

  h.clock.advance(40 * DAY);
  const recentRun = await h.engine.runNow(work.id, 'tester');
  await h.settle();
  h.clock.advance(60 * DAY); // the old run is 100 days old, the recent one 60

  const keeper = await h.addTask({
    schedule: { kind: 'manual' },
    jobs: [serverJob('housekeeping', { keepRuns: '90d', keepLogs: '30d' })],
  });
  const hk = await h.engine.runNow(keeper.id, 'tester');
  await h.settle();
  assert.equal((await h.store.runs.get(hk.id))?.status, 'finished');

  assert.equal(await h.store.runs.get(oldRun.id), null, 'run older than 90 days pruned');
  assert.equal(await h.store.jobstates.get(oldJs!.id), null);
  const recent = await h.store.runs.get(recentRun.id);
  assert.equal(recent?.status, 'finished', 'run younger than 90 days kept');
  const [recentJs] = await h.store.jobstates.allOfRun(recentRun.id);
  assert.equal(await h.store.logs.count(recentJs!.id), 0, 'its logs, older than 30 days, pruned');

  const ledger = await h.store.ledger.get(work.id, 'noop-job', 'server');
  assert.equal(ledger?.status, 'finished', 'the ledger keeps the last outcome');
  assert.equal(ledger?.runId, recentRun.id);
});
