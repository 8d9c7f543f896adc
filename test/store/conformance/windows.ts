// Timeslots govern execution: a task's timeslotEnd, a jobstate's window close, the claims
// that respect it and the queries the sweep and the loop's wake-up rely on.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Store } from '../../../src/core/ports/store.ts';
import { makeJobstate, makeRun, makeTask, seedTask, T0 } from '../fixtures.ts';
import { claimForAgent, ids, type OpenStore, storeTest } from './harness.ts';

const LEASE = 30_000;

/** A running run of a new task of the org with that timeslotEnd. */
async function runWith(store: Store, timeslotEnd: 'finish' | 'cancel' | 'pause') {
  const base = await seedTask(store);
  const task = await store.tasks.create(makeTask(base.orgId, { timeslotEnd }));
  const run = makeRun(task, { status: 'running' });
  await store.runs.insert(run);
  return run;
}

export function windowCases(open: OpenStore): void {
  describe('timeslots govern execution', () => {
    storeTest(open, "a task's timeslotEnd and a jobstate's window close round-trip and update", async (store) => {
      const run = await runWith(store, 'pause');
      const task = await store.tasks.get(run.taskId);
      assert.equal(task?.timeslotEnd, 'pause');
      assert.equal(
        await store.tasks.update({ ...(task as NonNullable<typeof task>), timeslotEnd: 'cancel', version: 2 }),
        true,
      );
      assert.equal((await store.tasks.get(run.taskId))?.timeslotEnd, 'cancel');
      const js = makeJobstate(run, { status: 'prepared', windowClosesAt: T0 + 60_000 });
      await store.jobstates.insertMany([js]);
      assert.deepEqual(await store.jobstates.get(js.id), js);
      assert.equal(await store.jobstates.update(js.id, { windowClosesAt: null, updatedAt: T0 + 1 }), true);
      assert.equal((await store.jobstates.get(js.id))?.windowClosesAt, null);
    });

    storeTest(open, 'neither claim takes a jobstate whose window closed', async (store) => {
      const run = await runWith(store, 'finish');
      const prepared = (over: Parameters<typeof makeJobstate>[1]) =>
        makeJobstate(run, { status: 'prepared', preparedAt: T0 - 10, ...over });
      const serverOpen = prepared({ windowClosesAt: T0 + 1 });
      const serverForever = prepared({ windowClosesAt: null });
      const agentOpen = prepared({ agentId: 'agent-1', windowClosesAt: T0 + 1 });
      await store.jobstates.insertMany([
        serverOpen,
        serverForever,
        agentOpen,
        prepared({ windowClosesAt: T0 }),
        prepared({ windowClosesAt: T0 - 5 }),
        prepared({ agentId: 'agent-1', windowClosesAt: T0 }),
      ]);
      assert.deepEqual(ids(await claimForAgent(store, { agentId: 'agent-1', now: T0, capacity: 10 })), [agentOpen.id]);
      assert.deepEqual(
        ids(await store.jobstates.claimServer('node', T0, T0 + LEASE, 10)).sort(),
        [serverOpen.id, serverForever.id].sort(),
      );
    });

    storeTest(
      open,
      'listWindowClosed: prepared ones past their close, and running ones only where the task cancels',
      async (store) => {
        const finish = await runWith(store, 'finish');
        const cancel = await runWith(store, 'cancel');
        const pause = await runWith(store, 'pause');
        const closedPrepared = makeJobstate(finish, { status: 'prepared', windowClosesAt: T0 - 30 });
        const closedAgent = makeJobstate(pause, { status: 'prepared', agentId: 'agent-1', windowClosesAt: T0 - 20 });
        const cancelled = makeJobstate(cancel, { status: 'running', windowClosesAt: T0 });
        // Read in another statement than the prepared ones: the answer is still in close order.
        const cancelledFirst = makeJobstate(cancel, { status: 'running', windowClosesAt: T0 - 40 });
        await store.jobstates.insertMany([
          cancelled,
          cancelledFirst,
          closedAgent,
          closedPrepared,
          makeJobstate(finish, { status: 'prepared', windowClosesAt: T0 + 1 }),
          makeJobstate(finish, { status: 'prepared', windowClosesAt: null }),
          makeJobstate(finish, { status: 'running', windowClosesAt: T0 - 99 }),
          makeJobstate(pause, { status: 'running', windowClosesAt: T0 - 99 }),
          makeJobstate(cancel, { status: 'running', windowClosesAt: T0 + 1 }),
          makeJobstate(cancel, { status: 'waiting', windowClosesAt: T0 - 99 }),
          makeJobstate(cancel, { status: 'finished', windowClosesAt: T0 - 99 }),
        ]);
        assert.deepEqual(ids(await store.jobstates.listWindowClosed(T0, 10)), [
          cancelledFirst.id,
          closedPrepared.id,
          closedAgent.id,
          cancelled.id,
        ]);
        assert.deepEqual(ids(await store.jobstates.listWindowClosed(T0, 2)), [cancelledFirst.id, closedPrepared.id]);
      },
    );

    storeTest(open, 'nextWakeAt counts the window closes listWindowClosed will return', async (store) => {
      const finish = await runWith(store, 'finish');
      const cancel = await runWith(store, 'cancel');
      await store.jobstates.insertMany([
        // An agent's: the store wakes the engine for agent timeouts (a server job's node measures its own).
        makeJobstate(finish, {
          status: 'running',
          agentId: 'agent-1',
          startedAt: T0,
          timeoutSeconds: 3600,
          windowClosesAt: T0 + 100,
        }),
        makeJobstate(finish, { status: 'waiting', dueAt: null, windowClosesAt: T0 + 100 }),
      ]);
      assert.equal(await store.jobstates.nextWakeAt(), T0 + 3_600_000, 'running work that finishes: its timeout only');
      await store.jobstates.insertMany([
        makeJobstate(cancel, { status: 'running', startedAt: T0, timeoutSeconds: 3600, windowClosesAt: T0 + 500 }),
      ]);
      assert.equal(await store.jobstates.nextWakeAt(), T0 + 500);
      await store.jobstates.insertMany([makeJobstate(finish, { status: 'prepared', windowClosesAt: T0 + 300 })]);
      assert.equal(await store.jobstates.nextWakeAt(), T0 + 300);
    });
  });
}
