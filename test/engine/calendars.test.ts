import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Calendar } from '../../src/core/calendar.ts';
import { newId } from '../../src/core/ids.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

// Shared calendars in the engine (issue 15, part 4): a calendar's blackouts defer a task's
// firing as its own do, and changing the calendar re-plans the tasks listing it. Runs on
// SQLite, and on PostgreSQL with TASKWARDEN_TEST_DB=postgres.

let h: EngineHarness;
afterEach(() => h?.cleanup());

async function addCalendar(orgId: string | null, name: string, rules: Partial<Calendar>): Promise<Calendar> {
  const now = h.clock.now();
  return h.store.calendars.create({
    id: newId(),
    orgId,
    name,
    blackouts: [],
    yearly: [],
    ...rules,
    createdAt: now,
    updatedAt: now,
  });
}

async function runsOf(taskId: string) {
  const { items } = await h.store.runs.list({ taskId }, { limit: 1000 });
  return items.sort((a, b) => a.fireAt - b.fireAt);
}

describe('shared calendars', () => {
  test('a yearly calendar day defers a firing to the next day, in the task zone', async () => {
    h = await startEngineHarness({ start: '2026-12-24T12:00:00Z' });
    await addCalendar(h.orgId, 'holidays', { yearly: ['12-25'] });
    const task = await h.addTask({
      schedule: { kind: 'cron', expr: '0 9 * * *', tz: 'Europe/Paris' },
      calendars: ['holidays'],
      jobs: [serverJob('noop')],
    });
    // 25 December 09:00 Paris is closed; the firing moves to the end of that day in Paris.
    assert.equal((await h.store.triggers.get(task.id))?.nextFireAt, Date.parse('2026-12-25T23:00:00Z'));
    h.clock.set('2026-12-25T08:30:00Z');
    await h.settle();
    assert.equal((await runsOf(task.id)).length, 0, 'nothing fires on the calendar day');
    h.clock.set('2026-12-25T23:00:00Z');
    await h.settle();
    await h.settle();
    const runs = await runsOf(task.id);
    assert.deepEqual(
      runs.map((r) => [new Date(r.fireAt).toISOString(), r.status]),
      [['2026-12-25T23:00:00.000Z', 'finished']],
    );
  });

  test('a global calendar blackout defers a firing; changing the calendar re-plans the task', async () => {
    h = await startEngineHarness({ start: '2026-12-01T00:00:00Z' });
    const global = await addCalendar(null, 'freeze', {
      blackouts: [{ from: '2026-12-01T00:30:00Z', to: '2026-12-01T03:30:00Z' }],
    });
    const task = await h.addTask({
      schedule: { kind: 'interval', every: '1h' },
      calendars: ['freeze'],
      jobs: [serverJob('noop')],
    });
    assert.equal((await h.store.triggers.get(task.id))?.nextFireAt, Date.parse('2026-12-01T03:30:00Z'));

    // The freeze ends earlier: the task's next firing comes back to 02:00 at once.
    await h.store.calendars.update(global.id, {
      blackouts: [{ from: '2026-12-01T00:30:00Z', to: '2026-12-01T01:30:00Z' }],
      updatedAt: h.clock.now(),
    });
    assert.equal(await h.engine.replanCalendarUsers((await h.store.calendars.get(global.id)) as Calendar), 1);
    assert.equal((await h.store.triggers.get(task.id))?.nextFireAt, Date.parse('2026-12-01T01:30:00Z'));
    h.clock.set('2026-12-01T01:30:00Z');
    await h.settle();
    await h.settle();
    assert.deepEqual(
      (await runsOf(task.id)).map((r) => new Date(r.fireAt).toISOString()),
      ['2026-12-01T01:30:00.000Z'],
    );
  });

  test('a calendar closes the window of a run already started: its next job waits for the end of the blackout', async () => {
    h = await startEngineHarness({ start: '2026-12-01T00:00:00Z' });
    await addCalendar(h.orgId, 'maintenance', {
      blackouts: [{ from: '2026-12-01T00:30:00Z', to: '2026-12-01T02:00:00Z' }],
    });
    const task = await h.addTask({
      schedule: { kind: 'manual' },
      calendars: ['maintenance'],
      jobs: [serverJob('noop', {}, { name: 'first' }), serverJob('noop', {}, { name: 'second', delay: '1h' })],
    });
    const run = await h.engine.runNow(task.id, 'tester');
    await h.settle();
    h.clock.set('2026-12-01T01:00:00Z');
    await h.settle();
    const second = (await h.store.jobstates.allOfRun(run.id)).find((j) => j.job === 'second');
    assert.equal(second?.status, 'waiting');
    assert.equal(second?.reason, 'timeslot_closed');
    assert.equal(second?.dueAt, Date.parse('2026-12-01T02:00:00Z'));
  });
});
