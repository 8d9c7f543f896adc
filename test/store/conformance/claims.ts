// Server claims, leases, timeouts and the engine's next wake-up.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Jobstate } from '../../../src/core/model.ts';
import { makeJobstate, makeRun, makeTask, seedRun, T0 } from '../fixtures.ts';
import { ids, type OpenStore, storeTest } from './harness.ts';

const LEASE = 30_000;

export function claimCases(open: OpenStore): void {
  describe('jobstate claims', () => {
    storeTest(
      open,
      'claimServer takes prepared server jobstates, earliest prepared first, and leases them',
      async (store) => {
        const run = await seedRun(store, { status: 'running' });
        const first = makeJobstate(run, { status: 'prepared', dueAt: T0 - 10, preparedAt: T0 - 10 });
        const second = makeJobstate(run, { status: 'prepared', dueAt: T0 - 5, preparedAt: T0 - 5 });
        const third = makeJobstate(run, { status: 'prepared', dueAt: T0, preparedAt: T0 });
        await store.jobstates.insertMany([
          third,
          second,
          first,
          makeJobstate(run, { status: 'prepared', agentId: 'agent-1', dueAt: T0 - 99, preparedAt: T0 - 99 }),
          makeJobstate(run, { status: 'waiting', dueAt: T0 - 99 }),
        ]);
        const claimed = await store.jobstates.claimServer('node-a', T0 + 1, T0 + 1 + LEASE, 2);
        assert.deepEqual(ids(claimed), [first.id, second.id]);
        for (const js of claimed) {
          assert.equal(js.status, 'running');
          assert.equal(js.leaseOwner, 'node-a');
          assert.equal(js.leaseExpiresAt, T0 + 1 + LEASE);
          assert.equal(js.startedAt, T0 + 1);
          assert.equal(js.updatedAt, T0 + 1);
          assert.deepEqual(await store.jobstates.get(js.id), js);
        }
        assert.deepEqual(ids(await store.jobstates.claimServer('node-b', T0 + 2, T0 + 2 + LEASE, 10)), [third.id]);
        assert.deepEqual(await store.jobstates.claimServer('node-b', T0 + 3, T0 + 3 + LEASE, 10), []);
      },
    );

    storeTest(open, 'a resumed chunked jobstate keeps its first start time', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const js = makeJobstate(run, { status: 'prepared', dueAt: T0, startedAt: T0 - 500, checkpoint: { page: 4 } });
      await store.jobstates.insertMany([js]);
      const [claimed] = await store.jobstates.claimServer('node-a', T0 + 1, T0 + LEASE, 1);
      assert.equal(claimed?.startedAt, T0 - 500);
      assert.deepEqual(claimed?.checkpoint, { page: 4 });
    });

    storeTest(open, 'concurrent claimers never get the same jobstate', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const all = Array.from({ length: 30 }, (_, i) => makeJobstate(run, { status: 'prepared', dueAt: T0 + i }));
      await store.jobstates.insertMany(all);
      const claims = await Promise.all(
        ['node-a', 'node-b', 'node-c'].map((owner) => store.jobstates.claimServer(owner, T0 + 100, T0 + LEASE, 12)),
      );
      const claimed = claims.flatMap(ids);
      assert.equal(new Set(claimed).size, claimed.length, 'a jobstate was claimed twice');
      assert.deepEqual([...claimed].sort(), ids(all).sort());
      for (const [i, owner] of ['node-a', 'node-b', 'node-c'].entries()) {
        for (const js of claims[i] ?? []) assert.equal((await store.jobstates.get(js.id))?.leaseOwner, owner);
      }
    });

    storeTest(open, 'renewLeases extends only the owner’s running jobstates', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const mine = makeJobstate(run, { status: 'running', leaseOwner: 'node-a', leaseExpiresAt: T0 });
      const theirs = makeJobstate(run, { status: 'running', leaseOwner: 'node-b', leaseExpiresAt: T0 });
      const ended = makeJobstate(run, { status: 'finished', leaseOwner: 'node-a', leaseExpiresAt: T0 });
      await store.jobstates.insertMany([mine, theirs, ended]);
      const renewed = await store.jobstates.renewLeases('node-a', [mine.id, theirs.id, ended.id], T0 + LEASE);
      assert.deepEqual(renewed, [mine.id]);
      assert.equal((await store.jobstates.get(mine.id))?.leaseExpiresAt, T0 + LEASE);
      assert.equal((await store.jobstates.get(theirs.id))?.leaseExpiresAt, T0);
      assert.deepEqual(await store.jobstates.renewLeases('node-a', [], T0 + LEASE), []);
    });

    storeTest(open, 'listTimedOut finds running agent jobstates past startedAt + timeout', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const onAgent = (over: Partial<Jobstate>) =>
        makeJobstate(run, { status: 'running', agentId: 'agent-1', timeoutSeconds: 60, ...over });
      const overdue = onAgent({ startedAt: T0 - 61_000 });
      const exactly = onAgent({ startedAt: T0 - 60_000 });
      await store.jobstates.insertMany([
        exactly,
        overdue,
        onAgent({ startedAt: T0 - 59_999 }),
        onAgent({ status: 'finished', startedAt: T0 - 99_000 }),
        // The server's own jobs are timed out by the node running them, on its monotonic clock.
        makeJobstate(run, { status: 'running', startedAt: T0 - 99_000, timeoutSeconds: 60 }),
        onAgent({ runner: 'server', startedAt: T0 - 99_000 }),
      ]);
      assert.deepEqual(ids(await store.jobstates.listTimedOut(T0, 10)), [overdue.id, exactly.id]);
      assert.deepEqual(ids(await store.jobstates.listTimedOut(T0, 1)), [overdue.id]);
    });

    storeTest(open, 'shiftAgentStarts moves the start of running agent jobstates only', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const running = makeJobstate(run, { status: 'running', agentId: 'agent-1', startedAt: T0 });
      const others = [
        makeJobstate(run, { status: 'finished', agentId: 'agent-1', startedAt: T0 }),
        makeJobstate(run, { status: 'running', startedAt: T0 }),
        makeJobstate(run, { status: 'running', agentId: 'agent-1', runner: 'server', startedAt: T0 }),
      ];
      await store.jobstates.insertMany([running, ...others]);
      assert.equal(await store.jobstates.shiftAgentStarts(7_200_000), 1);
      assert.equal((await store.jobstates.get(running.id))?.startedAt, T0 + 7_200_000);
      assert.equal(await store.jobstates.shiftAgentStarts(-7_200_001), 1);
      assert.equal((await store.jobstates.get(running.id))?.startedAt, T0 - 1);
      for (const js of others) assert.equal((await store.jobstates.get(js.id))?.startedAt, T0);
    });

    storeTest(open, 'listLeaseExpired finds running server jobstates whose lease ended', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const expired = makeJobstate(run, { status: 'running', leaseOwner: 'node-a', leaseExpiresAt: T0 - 1 });
      await store.jobstates.insertMany([
        expired,
        makeJobstate(run, { status: 'running', leaseOwner: 'node-a', leaseExpiresAt: T0 }),
        makeJobstate(run, { status: 'running', agentId: 'agent-1', leaseOwner: 'x', leaseExpiresAt: T0 - 9 }),
        makeJobstate(run, { status: 'finished', leaseOwner: 'node-a', leaseExpiresAt: T0 - 9 }),
      ]);
      assert.deepEqual(ids(await store.jobstates.listLeaseExpired(T0, 10)), [expired.id]);
    });

    storeTest(
      open,
      "listPreparedExpired finds agent jobstates prepared longer than their task's expireAfter",
      async (store) => {
        const run = await seedRun(store, { status: 'running' }); // its task expires after 86400 s
        const day = 86_400_000;
        const expired = makeJobstate(run, { status: 'prepared', agentId: 'agent-1', preparedAt: T0 - day });
        const older = makeJobstate(run, { status: 'prepared', agentId: 'agent-2', preparedAt: T0 - day - 5 });
        const shortTask = await store.tasks.create(makeTask(run.orgId, { expireAfterSeconds: 60 }));
        const shortRun = makeRun(shortTask, { status: 'running' });
        await store.runs.insert(shortRun);
        const short = makeJobstate(shortRun, { status: 'prepared', agentId: 'agent-3', preparedAt: T0 - 60_000 });
        await store.jobstates.insertMany([
          expired,
          older,
          short,
          makeJobstate(run, { status: 'prepared', agentId: 'agent-4', preparedAt: T0 - day + 1 }),
          makeJobstate(shortRun, { status: 'prepared', agentId: 'agent-5', preparedAt: T0 - 59_999 }),
          makeJobstate(run, { status: 'prepared', agentId: null, preparedAt: T0 - 2 * day }),
          makeJobstate(run, { status: 'prepared', agentId: 'agent-6', runner: 'server', preparedAt: T0 - 2 * day }),
          makeJobstate(run, { status: 'running', agentId: 'agent-7', preparedAt: T0 - 2 * day }),
        ]);
        assert.deepEqual(ids(await store.jobstates.listPreparedExpired(T0, 10)), [older.id, expired.id, short.id]);
        assert.deepEqual(ids(await store.jobstates.listPreparedExpired(T0, 2)), [older.id, expired.id]);
      },
    );

    storeTest(open, "nextWakeAt is the earliest due time, agent job's timeout + grace or lease end", async (store) => {
      assert.equal(await store.jobstates.nextWakeAt(), null);
      const running = await seedRun(store, { status: 'running' });
      const pending = await seedRun(store);
      await store.jobstates.insertMany([
        makeJobstate(pending, { dueAt: T0 - 100 }),
        makeJobstate(running, { dueAt: null }),
        makeJobstate(running, { status: 'finished', dueAt: T0 - 100 }),
      ]);
      assert.equal(await store.jobstates.nextWakeAt(), null, 'nothing to wake for');
      await store.jobstates.insertMany([makeJobstate(running, { dueAt: T0 + 500 })]);
      assert.equal(await store.jobstates.nextWakeAt(), T0 + 500);
      await store.jobstates.insertMany([
        // A server job's timeout is its node's business (monotonic), not a wake-up of the store's.
        makeJobstate(running, { status: 'running', startedAt: T0 - 900, timeoutSeconds: 1, leaseExpiresAt: T0 + 900 }),
        makeJobstate(running, { status: 'running', agentId: 'a', startedAt: T0 - 700, timeoutSeconds: 1 }),
      ]);
      assert.equal(await store.jobstates.nextWakeAt(), T0 + 300);
      assert.equal(await store.jobstates.nextWakeAt(100), T0 + 400, 'plus the grace');
      await store.jobstates.insertMany([
        makeJobstate(running, { status: 'running', startedAt: T0, timeoutSeconds: 3600, leaseExpiresAt: T0 + 200 }),
      ]);
      assert.equal(await store.jobstates.nextWakeAt(), T0 + 200);
      // A prepared agent job expires its task's expireAfter (a day, here) after it was
      // prepared (listPreparedExpired); a prepared server job does not.
      await store.jobstates.insertMany([
        makeJobstate(running, { status: 'prepared', preparedAt: T0 - 86_400_000 }),
        makeJobstate(running, { status: 'prepared', agentId: 'a', preparedAt: T0 + 100 - 86_400_000 }),
      ]);
      assert.equal(await store.jobstates.nextWakeAt(), T0 + 100);
    });
  });
}
