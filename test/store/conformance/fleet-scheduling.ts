// Calendars (names per org and global, resolution, the tasks listing one) and late joiners
// (a run's join window holds its end; one late jobstate per run, job and agent).
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Calendar } from '../../../src/core/calendar.ts';
import { newId } from '../../../src/core/ids.ts';
import { makeAgent, makeJobstate, makeOrg, makeRun, makeTask, T0 } from '../fixtures.ts';
import { type OpenStore, rejectsWithCode, storeTest } from './harness.ts';

const makeCalendar = (orgId: string | null, over: Partial<Calendar> = {}): Calendar => ({
  id: newId(),
  orgId,
  name: 'holidays',
  blackouts: [{ from: '2026-12-24T00:00:00Z', to: '2026-12-27T00:00:00Z' }],
  yearly: ['01-01', '12-25'],
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export function fleetSchedulingCases(open: OpenStore): void {
  describe('calendars', () => {
    storeTest(open, 'names are unique per scope; an org resolves its own before a global one', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const global = await store.calendars.create(makeCalendar(null));
      assert.deepEqual(await store.calendars.get(global.id), global);
      await rejectsWithCode(store.calendars.create(makeCalendar(null)), 'calendar_name_taken');
      assert.deepEqual(
        (await store.calendars.resolve(org.id, ['holidays', 'nope'])).map((c) => c.id),
        [global.id],
      );
      const own = await store.calendars.create(makeCalendar(org.id, { yearly: [] }));
      assert.deepEqual(
        (await store.calendars.resolve(org.id, ['holidays'])).map((c) => c.id),
        [own.id],
      );
      assert.deepEqual(
        (await store.calendars.resolve(null, ['holidays'])).map((c) => c.id),
        [global.id],
      );
      const listed = await store.calendars.list(org.id, { limit: 10 });
      assert.deepEqual(listed.items.map((c) => c.id).sort(), [global.id, own.id].sort());
      assert.equal((await store.calendars.list(null, { limit: 10 })).items.length, 1);
      assert.ok(await store.calendars.update(own.id, { yearly: ['05-01'], updatedAt: T0 + 1 }));
      const changed = await store.calendars.get(own.id);
      assert.deepEqual([changed?.yearly, changed?.blackouts, changed?.updatedAt], [['05-01'], own.blackouts, T0 + 1]);
      await store.calendars.delete(own.id);
      assert.equal(await store.calendars.get(own.id), null);
    });

    storeTest(open, 'usersOf lists the tasks naming a calendar, in its org or in any', async (store) => {
      const a = await store.orgs.create(makeOrg());
      const b = await store.orgs.create(makeOrg());
      const ta = await store.tasks.create(makeTask(a.id, { calendars: ['holidays', 'freeze'] }));
      const tb = await store.tasks.create(makeTask(b.id, { calendars: ['holidays'] }));
      await store.tasks.create(makeTask(a.id, { calendars: ['holidays_2'] }));
      assert.deepEqual(
        (await store.calendars.usersOf(a.id, 'holidays')).map((t) => t.id),
        [ta.id],
      );
      assert.deepEqual(
        (await store.calendars.usersOf(null, 'holidays')).map((t) => t.id).sort(),
        [ta.id, tb.id].sort(),
      );
      assert.deepEqual(await store.calendars.usersOf(a.id, 'holidays.2'), []);
    });
  });

  describe('late joiners', () => {
    storeTest(open, 'an open window holds the run’s end; closeDue closes it once', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const task = await store.tasks.create(makeTask(org.id));
      const run = makeRun(task, { status: 'running', startedAt: T0 });
      await store.runs.insert(run);
      await store.lateJoin.open(run.id, T0 + 1000);
      assert.deepEqual(
        (await store.lateJoin.openRuns(org.id, T0)).map((r) => [r.id, r.joinUntil]),
        [[run.id, T0 + 1000]],
      );
      assert.equal(await store.lateJoin.nextCloseAt(), T0 + 1000);
      assert.equal(await store.runs.completeIfDone(run.id, T0), null, 'no open jobstate, but the window is open');
      assert.ok(await store.transaction((tx) => tx.lateJoin.hold(run.id, T0)));
      assert.deepEqual(await store.lateJoin.closeDue(T0 + 999, 10), []);
      assert.deepEqual(
        (await store.lateJoin.closeDue(T0 + 1000, 10)).map((r) => r.id),
        [run.id],
      );
      assert.deepEqual(await store.lateJoin.closeDue(T0 + 1000, 10), [], 'closed once');
      assert.equal(await store.transaction((tx) => tx.lateJoin.hold(run.id, T0)), false);
      assert.equal(await store.lateJoin.nextCloseAt(), null);
      assert.equal((await store.runs.completeIfDone(run.id, T0 + 1000))?.status, 'finished');
    });

    storeTest(open, 'one late jobstate per run, job and agent; counted as joined', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const task = await store.tasks.create(makeTask(org.id));
      const run = makeRun(task, { status: 'running', startedAt: T0 });
      await store.runs.insert(run);
      const agent = await store.agents.create(makeAgent(org.id));
      const js = makeJobstate(run, { agentId: agent.id, runner: 'agent' });
      assert.deepEqual(
        (await store.lateJoin.insert([js])).map((j) => j.id),
        [js.id],
      );
      assert.deepEqual(await store.lateJoin.insert([{ ...js, id: newId() }]), []);
      assert.deepEqual(await store.lateJoin.jobsOf(run.id, agent.id), [0]);
      assert.equal(await store.lateJoin.joinedCount(run.id), 1);
      assert.equal((await store.jobstates.allOfRun(run.id)).length, 1);
    });
  });
}
