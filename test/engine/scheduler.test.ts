import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const HOUR = 3_600_000;
let h: EngineHarness;
afterEach(() => h?.cleanup());

async function runsOf(taskId: string) {
  const { items } = await h.store.runs.list({ taskId }, { limit: 1000 });
  return items.sort((a, b) => a.fireAt - b.fireAt);
}

describe('scheduler', () => {
  test('fires a recurring task at each firing, once per firing', async () => {
    h = await startEngineHarness({ start: '2026-12-01T00:00:00Z' });
    const task = await h.addTask({ schedule: { kind: 'interval', every: '1h' }, jobs: [serverJob('noop')] });
    assert.equal((await h.store.triggers.get(task.id))?.nextFireAt, Date.parse('2026-12-01T01:00:00Z'));
    await h.settle();
    assert.equal((await runsOf(task.id)).length, 0, 'nothing is due before the first firing');
    h.clock.advance(HOUR);
    await h.settle();
    await h.settle();
    const runs = await runsOf(task.id);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.status, 'finished');
    assert.equal(runs[0]?.reason, 'schedule');
    assert.equal(runs[0]?.fireAt, Date.parse('2026-12-01T01:00:00Z'));
    assert.equal((await h.store.triggers.get(task.id))?.nextFireAt, Date.parse('2026-12-01T02:00:00Z'));
  });

  test('an immediate task runs once when saved; a manual one never by itself', async () => {
    h = await startEngineHarness();
    const immediate = await h.addTask({ schedule: { kind: 'immediate' }, jobs: [serverJob('noop')] });
    const manual = await h.addTask({ schedule: { kind: 'manual' }, jobs: [serverJob('noop')] });
    await h.settle();
    h.clock.advance(48 * HOUR);
    await h.settle();
    const runs = await runsOf(immediate.id);
    assert.deepEqual(
      runs.map((r) => [r.reason, r.status]),
      [['immediate', 'finished']],
    );
    assert.equal((await runsOf(manual.id)).length, 0);
  });

  test('a disabled task does not fire; enabling it schedules it again', async () => {
    h = await startEngineHarness();
    const task = await h.addTask({
      enabled: false,
      schedule: { kind: 'interval', every: '1h' },
      jobs: [serverJob('noop')],
    });
    assert.equal(await h.store.triggers.get(task.id), null);
    h.clock.advance(3 * HOUR);
    await h.settle();
    assert.equal((await runsOf(task.id)).length, 0);
    await h.engine.setTaskEnabled(task.id, true, 'tester');
    h.clock.advance(HOUR);
    await h.settle();
    assert.equal((await runsOf(task.id)).length, 1);
  });
});

describe('misfire policies (firings missed while the server was down)', () => {
  async function missFiveHours(misfire: string) {
    h = await startEngineHarness({ start: '2026-12-01T00:00:00Z', options: { catchUpSpreadMs: 60_000 } });
    const task = await h.addTask({
      misfire,
      concurrency: 'queue',
      schedule: { kind: 'interval', every: '1h' },
      jobs: [serverJob('noop')],
    });
    h.clock.set('2026-12-01T05:30:00Z'); // 01:00 … 05:00 were missed
    await h.settle();
    for (let minute = 0; minute < 10; minute++) {
      h.clock.advance(60_000);
      await h.settle();
    }
    return runsOf(task.id);
  }

  test('skip records the missed firings as one missed run, with their count, and runs none', async () => {
    const runs = await missFiveHours('skip');
    assert.deepEqual(
      runs.map((r) => [r.status, new Date(r.fireAt).toISOString().slice(11, 16), r.missed]),
      [['missed', '01:00', { count: 5, lastFireAt: Date.parse('2026-12-01T05:00:00Z') }]],
    );
    assert.equal((await h.store.triggers.get(runs[0]!.taskId))?.nextFireAt, Date.parse('2026-12-01T06:00:00Z'));
  });

  test('once catches up the latest firing and records the others missed', async () => {
    const runs = await missFiveHours('once');
    assert.deepEqual(
      runs.map((r) => [new Date(r.fireAt).toISOString().slice(11, 16), r.reason, r.status, r.missed?.count ?? null]),
      [
        ['01:00', 'schedule', 'missed', 4],
        ['05:00', 'catch-up', 'finished', null],
      ],
    );
    assert.equal(runs[0]?.missed?.lastFireAt, Date.parse('2026-12-01T04:00:00Z'));
  });

  test('all catches up every firing, spread out, up to the cap', async () => {
    const runs = await missFiveHours('all');
    assert.deepEqual(
      runs.map((r) => [r.reason, r.status]),
      Array(5).fill(['catch-up', 'finished']),
    );
    const starts = runs.map((r) => r.startedAt! - Date.parse('2026-12-01T05:30:00Z'));
    assert.deepEqual(starts, [0, 60_000, 120_000, 180_000, 240_000]);
  });

  test('all is capped; the firings beyond the cap are recorded as one missed run', async () => {
    h = await startEngineHarness({ options: { catchUpCap: 2 } });
    const task = await h.addTask({
      misfire: 'all',
      concurrency: 'allow',
      schedule: { kind: 'interval', every: '1h' },
      jobs: [serverJob('noop')],
    });
    h.clock.set('2026-12-01T04:30:00Z');
    await h.settle();
    h.clock.advance(5 * 60_000);
    await h.settle();
    const runs = await runsOf(task.id);
    assert.deepEqual(
      runs.map((r) => [r.status, r.missed?.count ?? null]),
      [
        ['missed', 2],
        ['finished', null],
        ['finished', null],
      ],
    );
  });

  test('a firing a few seconds late is not a misfire', async () => {
    h = await startEngineHarness();
    const task = await h.addTask({
      misfire: 'skip',
      schedule: { kind: 'interval', every: '1h' },
      jobs: [serverJob('noop')],
    });
    h.clock.set('2026-12-01T01:00:20Z');
    await h.settle();
    const runs = await runsOf(task.id);
    assert.deepEqual(
      runs.map((r) => [r.reason, r.status]),
      [['schedule', 'finished']],
    );
  });
});
