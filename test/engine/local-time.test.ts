// Schedules in each agent's local time (issue 15, tz "agent") on a fake clock: one run per
// firing at the earliest zone, each target waiting `local_time` for its own wall time, DST
// per zone, timeslots read in the agent's zone, server targets in fallbackTz.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Jobstate } from '../../src/core/model.ts';
import { makeAgent, makeCommand } from '../store/fixtures.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

let h: EngineHarness;
afterEach(() => h?.cleanup());

const at = (iso: string) => Date.parse(iso);

async function setUp(start: string, zones: Record<string, string | null>) {
  h = await startEngineHarness({ start });
  await h.store.commands.upsert(
    makeCommand(h.orgId, { name: 'hello', argv: ['echo', 'hi'], params: {}, runsOn: 'agent' }),
  );
  const ids: Record<string, string> = {};
  for (const [name, timezone] of Object.entries(zones)) {
    const agent = await h.store.agents.create(makeAgent(h.orgId, { name, tags: ['fleet'], timezone }));
    ids[name] = agent.id;
  }
  return ids;
}

const hello = { name: 'hello', module: 'command', params: { command: 'hello' }, targets: { tags: ['fleet'] } };

async function runsOf(taskId: string) {
  return (await h.store.runs.list({ taskId }, { limit: 100 })).items.sort((a, b) => a.fireAt - b.fireAt);
}

async function byAgent(runId: string): Promise<Map<string | null, Jobstate>> {
  return new Map((await h.store.jobstates.allOfRun(runId)).map((js) => [js.agentId, js]));
}

describe('schedules in each agent local time', () => {
  test('one run per firing at the earliest zone; the later zone waits local_time until its own wall time', async () => {
    const ids = await setUp('2026-12-07T00:00:00Z', { paris: 'Europe/Paris', newyork: 'America/New_York' });
    const task = await h.addTask({
      schedule: { kind: 'cron', expr: '0 9 * * *', tz: 'agent', fallbackTz: 'UTC' },
      jobs: [hello],
    });
    // 09:00 Paris = 08:00Z comes before 09:00 New York = 14:00Z.
    assert.equal((await h.store.triggers.get(task.id))?.nextFireAt, at('2026-12-07T08:00:00Z'));
    await h.settle();
    assert.equal((await runsOf(task.id)).length, 0);
    h.clock.set('2026-12-07T08:00:00Z');
    await h.settle();
    const [run, ...more] = await runsOf(task.id);
    assert.equal(more.length, 0, 'one run for the firing');
    assert.equal(run?.fireAt, at('2026-12-07T08:00:00Z'));
    let states = await byAgent(run?.id as string);
    assert.equal(states.get(ids.paris as string)?.status, 'prepared');
    const ny = states.get(ids.newyork as string);
    assert.deepEqual([ny?.status, ny?.reason, ny?.dueAt], ['waiting', 'local_time', at('2026-12-07T14:00:00Z')]);
    // The trigger moved on to the next day's firing, not to New York's 09:00 of today.
    assert.equal((await h.store.triggers.get(task.id))?.nextFireAt, at('2026-12-08T08:00:00Z'));
    assert.equal(await h.store.jobstates.nextWakeAt(), at('2026-12-07T14:00:00Z'), 'the loop wakes at its due time');
    h.clock.set('2026-12-07T13:59:59Z');
    await h.settle();
    assert.equal((await byAgent(run?.id as string)).get(ids.newyork as string)?.status, 'waiting');
    h.clock.set('2026-12-07T14:00:00Z');
    await h.settle();
    states = await byAgent(run?.id as string);
    assert.equal(states.get(ids.newyork as string)?.status, 'prepared');
    assert.equal((await runsOf(task.id)).length, 1, 'New York reaching 09:00 makes no second run');
  });

  test("a late joiner waits for the firing's wall time in its own zone", async () => {
    const ids = await setUp('2026-12-07T00:00:00Z', { paris: 'Europe/Paris' });
    const task = await h.addTask({
      schedule: { kind: 'cron', expr: '0 9 * * *', tz: 'agent', fallbackTz: 'UTC' },
      jobs: [{ ...hello, targets: { tags: ['fleet'], lateJoin: '1d' } }],
    });
    h.clock.set('2026-12-07T08:00:00Z');
    await h.settle();
    const [run] = await runsOf(task.id);
    assert.equal((await byAgent(run?.id as string)).get(ids.paris as string)?.status, 'prepared');
    // Enrolled at 10:00 Paris = 04:00 New York: its 09:00 is five hours away.
    h.clock.set('2026-12-07T09:00:00Z');
    const late = await h.store.agents.create(
      makeAgent(h.orgId, { name: 'newyork', tags: ['fleet'], timezone: 'America/New_York' }),
    );
    assert.equal(await h.engine.joinLate(late.id), 1);
    await h.settle();
    const joined = (await byAgent(run?.id as string)).get(late.id);
    assert.deepEqual(
      [joined?.status, joined?.reason, joined?.dueAt],
      ['waiting', 'local_time', at('2026-12-07T14:00:00Z')],
    );
    h.clock.set('2026-12-07T14:00:00Z');
    await h.settle();
    assert.equal((await byAgent(run?.id as string)).get(late.id)?.status, 'prepared');
    // A joiner whose zone passed 09:00 already (Tokyo: 18:00) starts at once.
    const tokyo = await h.store.agents.create(
      makeAgent(h.orgId, { name: 'tokyo', tags: ['fleet'], timezone: 'Asia/Tokyo' }),
    );
    assert.equal(await h.engine.joinLate(tokyo.id), 1);
    await h.settle();
    assert.equal((await byAgent(run?.id as string)).get(tokyo.id)?.status, 'prepared');
  });

  test("a late joiner's second job waits for its first, also when the first starts at once", async () => {
    await setUp('2026-12-07T00:00:00Z', {});
    const late = { tags: ['fleet'], lateJoin: '1d' };
    const task = await h.addTask({
      schedule: { kind: 'cron', expr: '0 9 * * *', tz: 'agent', fallbackTz: 'UTC' },
      jobs: [
        { ...hello, targets: late },
        { ...hello, name: 'again', targets: late },
      ],
    });
    h.clock.set('2026-12-07T09:00:00Z'); // fallbackTz's 09:00: no target yet
    await h.settle();
    const [run] = await runsOf(task.id);
    // The run waits for joiners with no target yet. Tokyo's 09:00 passed already: its first
    // job is prepared at once, its second waits for it.
    const tokyo = await h.store.agents.create(
      makeAgent(h.orgId, { name: 'tokyo', tags: ['fleet'], timezone: 'Asia/Tokyo' }),
    );
    assert.equal(await h.engine.joinLate(tokyo.id), 2);
    const mine = (await h.store.jobstates.allOfRun(run?.id as string))
      .filter((js) => js.agentId === tokyo.id)
      .sort((a, b) => a.jobIndex - b.jobIndex);
    assert.deepEqual(
      mine.map((js) => js.status),
      ['prepared', 'waiting'],
    );
  });

  test('a DST day in one zone: each zone applies its own gap rule to the same wall time', async () => {
    // 2027-03-28 02:30 does not exist in Paris (02:00 → 03:00): it comes at 03:00 CEST = 01:00Z;
    // London (01:00 → 02:00 that day) reads 02:30 BST = 01:30Z; Tokyo has no DST: 02:30 JST = 17:30Z the day before.
    const ids = await setUp('2027-03-27T12:00:00Z', {
      paris: 'Europe/Paris',
      london: 'Europe/London',
      tokyo: 'Asia/Tokyo',
    });
    const task = await h.addTask({ schedule: { kind: 'once', at: '2027-03-28T02:30', tz: 'agent' }, jobs: [hello] });
    assert.equal((await h.store.triggers.get(task.id))?.nextFireAt, at('2027-03-27T17:30:00Z'));
    h.clock.set('2027-03-27T17:30:00Z');
    await h.settle();
    const [run] = await runsOf(task.id);
    const states = await byAgent(run?.id as string);
    assert.equal(states.get(ids.tokyo as string)?.status, 'prepared');
    assert.equal(states.get(ids.paris as string)?.dueAt, at('2027-03-28T01:00:00Z'));
    assert.equal(states.get(ids.london as string)?.dueAt, at('2027-03-28T01:30:00Z'));
    h.clock.set('2027-03-28T01:00:00Z');
    await h.settle();
    const after = await byAgent(run?.id as string);
    assert.equal(after.get(ids.paris as string)?.status, 'prepared');
    assert.equal(after.get(ids.london as string)?.status, 'waiting');
  });

  test('agents without a zone and the server use fallbackTz; an override wins over the reported zone', async () => {
    const ids = await setUp('2026-12-07T00:00:00Z', { nozone: null, moved: 'Asia/Tokyo' });
    await h.store.agents.update(ids.moved as string, { timezoneOverride: 'America/New_York' });
    const task = await h.addTask({
      schedule: { kind: 'weekly', days: ['mon'], at: '10:00', tz: 'agent', fallbackTz: 'Europe/Paris' },
      jobs: [hello, serverJob('noop')],
    });
    // Paris 10:00 = 09:00Z (the fallback); New York 10:00 = 15:00Z; Tokyo (overridden) would be 01:00Z.
    assert.equal((await h.store.triggers.get(task.id))?.nextFireAt, at('2026-12-07T09:00:00Z'));
    h.clock.set('2026-12-07T09:00:00Z');
    await h.settle();
    const [run] = await runsOf(task.id);
    const states = await byAgent(run?.id as string);
    assert.equal(states.get(ids.nozone as string)?.status, 'prepared');
    assert.equal(states.get(ids.moved as string)?.dueAt, at('2026-12-07T15:00:00Z'));
    assert.notEqual(states.get(null)?.reason, 'local_time', 'the server target reads fallbackTz: due now');
  });

  test("timeslots are read in each agent's zone", async () => {
    const ids = await setUp('2026-12-07T00:00:00Z', { paris: 'Europe/Paris', newyork: 'America/New_York' });
    // Monday 08:00–12:00 local: the firing at 07:00 local waits for 08:00 in each zone.
    const task = await h.addTask({
      schedule: { kind: 'cron', expr: '0 7 * * *', tz: 'agent' },
      timeslots: [{ day: 0, from: '08:00', to: '12:00' }],
      jobs: [hello],
    });
    assert.equal((await h.store.triggers.get(task.id))?.nextFireAt, at('2026-12-07T06:00:00Z'));
    h.clock.set('2026-12-07T06:00:00Z');
    await h.settle();
    const [run] = await runsOf(task.id);
    let states = await byAgent(run?.id as string);
    assert.deepEqual(
      [states.get(ids.paris as string)?.reason, states.get(ids.paris as string)?.dueAt],
      ['timeslot_closed', at('2026-12-07T07:00:00Z')],
    );
    h.clock.set('2026-12-07T07:00:00Z');
    await h.settle();
    states = await byAgent(run?.id as string);
    assert.equal(states.get(ids.paris as string)?.status, 'prepared');
    assert.equal(states.get(ids.paris as string)?.windowClosesAt, at('2026-12-07T11:00:00Z'), '12:00 Paris');
    h.clock.set('2026-12-07T12:00:00Z'); // New York's 07:00: its slot opens at 08:00 New York = 13:00Z
    await h.settle();
    states = await byAgent(run?.id as string);
    assert.deepEqual(
      [states.get(ids.newyork as string)?.reason, states.get(ids.newyork as string)?.dueAt],
      ['timeslot_closed', at('2026-12-07T13:00:00Z')],
    );
  });

  test('a run started by hand does not wait for local time', async () => {
    const ids = await setUp('2026-12-07T00:00:00Z', { newyork: 'America/New_York' });
    const task = await h.addTask({ schedule: { kind: 'cron', expr: '0 9 * * *', tz: 'agent' }, jobs: [hello] });
    const run = await h.engine.runNow(task.id, 'tester');
    await h.settle();
    assert.equal((await byAgent(run.id)).get(ids.newyork as string)?.status, 'prepared');
  });
});
