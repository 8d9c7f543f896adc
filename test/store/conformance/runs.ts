// Runs: unique firings, guarded status changes, listings and retention.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { type Jobstate, RUN_STATUSES, type RunStatus, type Task } from '../../../src/core/model.ts';
import type { Store } from '../../../src/core/ports/store.ts';
import { makeJobstate, makeLedger, makeRun, seedRun, seedTask, T0 } from '../fixtures.ts';
import { ids, type OpenStore, rejectsWithCode, storeTest, walk } from './harness.ts';

/** A run of `task` in `status` (running) with one jobstate in each of `statuses`. */
async function runWith(store: Store, task: Task, statuses: Jobstate['status'][], status: RunStatus = 'running') {
  const run = makeRun(task, { status });
  await store.runs.insert(run);
  await store.jobstates.insertMany(statuses.map((s) => makeJobstate(run, { status: s })));
  return run;
}

export function runCases(open: OpenStore): void {
  describe('runs', () => {
    storeTest(open, 'insert stores the run, not started yet', async (store) => {
      const task = await seedTask(store);
      const run = makeRun(task, { createdBy: 'alice', statusReason: 'by hand' });
      assert.equal(await store.runs.insert(run), true);
      const { fireKey, ...fields } = run;
      assert.deepEqual(await store.runs.get(run.id), { ...fields, startedAt: null, finishedAt: null });
      assert.equal(await store.runs.get('missing'), null);
    });

    storeTest(open, 'a missed run keeps the count and last firing of the outage it records', async (store) => {
      const task = await seedTask(store);
      const missed = { count: 17_100, lastFireAt: T0 + 57 * 60_000 };
      const run = makeRun(task, { status: 'missed', reason: 'schedule', fireKey: String(T0), missed });
      assert.equal(await store.runs.insert(run), true);
      assert.deepEqual((await store.runs.get(run.id))?.missed, missed);
      const [listed] = (await store.runs.list({ taskId: task.id }, { limit: 10 })).items;
      assert.deepEqual(listed?.missed, missed);
    });

    storeTest(open, 'a second firing with the same (task, fireKey) writes nothing', async (store) => {
      const task = await seedTask(store);
      const other = await seedTask(store);
      assert.equal(await store.runs.insert(makeRun(task, { fireKey: String(T0) })), true);
      const duplicate = makeRun(task, { fireKey: String(T0) });
      assert.equal(await store.runs.insert(duplicate), false);
      assert.equal(await store.runs.get(duplicate.id), null);
      assert.equal(await store.runs.insert(makeRun(other, { fireKey: String(T0) })), true);
    });

    storeTest(open, 'a run of a task that does not exist is refused', async (store) => {
      const task = await seedTask(store);
      await rejectsWithCode(store.runs.insert(makeRun({ ...task, id: 'no-such-task' })), 'not_found');
    });

    storeTest(open, 'countByStatus counts runs of every task and org, zero for the other statuses', async (store) => {
      const zero = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0]));
      assert.deepEqual(await store.runs.countByStatus(), zero);
      const task = await seedTask(store);
      const other = await seedTask(store);
      await store.runs.insert(makeRun(task, { status: 'pending' }));
      await store.runs.insert(makeRun(task, { status: 'missed' }));
      await store.runs.insert(makeRun(other, { status: 'pending' }));
      assert.deepEqual(await store.runs.countByStatus(), { ...zero, pending: 2, missed: 1 });
    });

    storeTest(open, 'update applies only from the given statuses', async (store) => {
      const run = await seedRun(store);
      assert.equal(await store.runs.update(run.id, { status: 'running', startedAt: T0 + 1 }, ['pending']), true);
      assert.equal(await store.runs.update(run.id, { status: 'cancelled' }, ['pending']), false);
      assert.equal(await store.runs.update(run.id, { status: 'cancelled' }, []), false);
      assert.deepEqual(await store.runs.get(run.id), { ...run, status: 'running', startedAt: T0 + 1 });
      assert.equal(await store.runs.update(run.id, { status: 'finished', finishedAt: T0 + 2 }), true);
      assert.equal(await store.runs.update('missing', { status: 'finished' }), false);
      assert.equal(await store.runs.update(run.id, {}, ['finished']), true);
      assert.equal(await store.runs.update(run.id, {}, ['running']), false);
      assert.equal((await store.runs.get(run.id))?.finishedAt, T0 + 2);
    });

    storeTest(open, 'list is newest first, filtered, and pages through every run once', async (store) => {
      const task = await seedTask(store);
      const other = await seedTask(store);
      const runs = [];
      for (let i = 0; i < 7; i++) {
        const run = makeRun(task, { createdAt: T0 + i, status: i % 2 ? 'finished' : 'pending' });
        await store.runs.insert(run);
        runs.push(run);
      }
      await store.runs.insert(makeRun(other));
      const newestFirst = ids(runs).reverse();
      assert.deepEqual(ids((await walk((p) => store.runs.list({ taskId: task.id }, p), 3)).items), newestFirst);
      assert.deepEqual(ids((await walk((p) => store.runs.list({ orgId: task.orgId }, p), 2)).items), newestFirst);
      const finished = await store.runs.list({ taskId: task.id, status: ['finished'] }, { limit: 10 });
      assert.deepEqual(ids(finished.items), [runs[5]?.id, runs[3]?.id, runs[1]?.id]);
      const window = await store.runs.list({ taskId: task.id, since: T0 + 2, until: T0 + 4 }, { limit: 10 });
      assert.deepEqual(ids(window.items), [runs[3]?.id, runs[2]?.id]);
      assert.equal((await store.runs.list({}, { limit: 100 })).items.length, 8);
      assert.deepEqual((await store.runs.list({ status: [] }, { limit: 10 })).items, []);
    });

    storeTest(open, 'listStartable returns pending runs whose start time came, earliest first', async (store) => {
      const task = await seedTask(store);
      const late = makeRun(task, { startAt: T0 + 10 });
      const early = makeRun(task, { startAt: T0 - 10 });
      const now = makeRun(task, { startAt: T0 });
      const running = makeRun(task, { startAt: T0 - 20, status: 'running' });
      for (const run of [late, early, now, running]) await store.runs.insert(run);
      assert.deepEqual(ids(await store.runs.listStartable(T0, 10)), [early.id, now.id]);
      assert.deepEqual(ids(await store.runs.listStartable(T0, 1)), [early.id]);
    });

    storeTest(open, 'listActive returns the pending and running runs of a task, oldest first', async (store) => {
      const task = await seedTask(store);
      const other = await seedTask(store);
      const statuses: RunStatus[] = ['running', 'finished', 'pending', 'error', 'cancelled', 'skipped', 'missed'];
      const runs = statuses.map((status, i) => makeRun(task, { status, fireAt: T0 + 100 - i }));
      for (const run of runs) await store.runs.insert(run);
      await store.runs.insert(makeRun(other));
      assert.deepEqual(ids(await store.runs.listActive(task.id)), [runs[2]?.id, runs[0]?.id]);
    });

    storeTest(
      open,
      'completeIfDone ends a running run once no jobstate is open: error if one errored',
      async (store) => {
        const task = await seedTask(store);
        const seed = (statuses: Jobstate['status'][], status?: RunStatus) => runWith(store, task, statuses, status);
        const open = await seed(['finished', 'running']);
        assert.equal(await store.runs.completeIfDone(open.id, T0 + 9), null);
        assert.equal((await store.runs.get(open.id))?.status, 'running');
        const clean = await seed(['finished', 'skipped', 'cancelled']);
        const ended = await store.runs.completeIfDone(clean.id, T0 + 9);
        assert.equal(ended?.status, 'finished');
        assert.equal(ended?.finishedAt, T0 + 9);
        assert.deepEqual(await store.runs.get(clean.id), ended);
        assert.equal(await store.runs.completeIfDone(clean.id, T0 + 10), null, 'once ended, it stays as it ended');
        const failed = await seed(['finished', 'error']);
        assert.equal((await store.runs.completeIfDone(failed.id, T0 + 9))?.status, 'error');
        const pending = await seed(['finished'], 'pending');
        assert.equal(await store.runs.completeIfDone(pending.id, T0 + 9), null, 'only a running run completes');
        assert.equal(await store.runs.completeIfDone('missing', T0 + 9), null);
      },
    );

    storeTest(
      open,
      'completeIfDone on runs held by holdForCompletion ends them as without the hold, in a transaction or not',
      async (store) => {
        const task = await seedTask(store);
        const [done, open] = [makeRun(task, { status: 'running' }), makeRun(task, { status: 'running' })];
        for (const run of [done, open]) await store.runs.insert(run);
        await store.jobstates.insertMany([
          makeJobstate(done, { status: 'error' }),
          makeJobstate(open, { status: 'running' }),
        ]);
        const ended = await store.transaction(async (tx) => {
          await tx.runs.holdForCompletion([open.id, done.id, done.id, 'missing']);
          await tx.runs.holdForCompletion([]);
          return [await tx.runs.completeIfDone(done.id, T0 + 9), await tx.runs.completeIfDone(open.id, T0 + 9)];
        });
        assert.deepEqual(
          ended.map((run) => run?.status ?? null),
          ['error', null],
        );
        await store.runs.holdForCompletion([open.id]);
        assert.equal(await store.runs.completeIfDone(open.id, T0 + 10), null, 'outside a transaction: a no-op');
      },
    );

    storeTest(
      open,
      'completeManyIfDone ends, in one call, the running runs with no open jobstate, as completeIfDone would each',
      async (store) => {
        const task = await seedTask(store);
        const seed = (statuses: Jobstate['status'][], status?: RunStatus) => runWith(store, task, statuses, status);
        const clean = await seed(['finished', 'skipped']);
        const failed = await seed(['finished', 'error']);
        const open = await seed(['finished', 'waiting']);
        const pending = await seed(['finished'], 'pending');
        const ended = await store.transaction((tx) =>
          tx.runs.completeManyIfDone([open.id, clean.id, failed.id, pending.id, clean.id, 'missing'], T0 + 9),
        );
        const expected = [
          { id: clean.id, status: 'finished' },
          { id: failed.id, status: 'error' },
        ].sort((a, b) => (a.id < b.id ? -1 : 1));
        assert.deepEqual(
          ended.map((run) => ({ id: run.id, status: run.status })),
          expected,
        );
        assert.ok(ended.every((run) => run.finishedAt === T0 + 9));
        assert.equal((await store.runs.get(open.id))?.status, 'running');
        assert.equal((await store.runs.get(pending.id))?.status, 'pending');
        assert.deepEqual(await store.runs.completeManyIfDone([], T0 + 10), []);
        assert.deepEqual(
          await store.runs.completeManyIfDone([clean.id], T0 + 10),
          [],
          'once ended, it stays as it ended',
        );
      },
    );

    storeTest(open, 'latest is the run with the latest fireAt', async (store) => {
      const task = await seedTask(store);
      assert.equal(await store.runs.latest(task.id), null);
      const runs = [T0 + 5, T0 + 50, T0].map((fireAt) => makeRun(task, { fireAt }));
      for (const run of runs) await store.runs.insert(run);
      assert.equal((await store.runs.latest(task.id))?.id, runs[1]?.id);
    });

    storeTest(
      open,
      'deleteFinishedBefore removes the org’s old terminal runs with their jobstates and logs',
      async (store) => {
        const task = await seedTask(store);
        const cutoff = T0 + 1000;
        const make = async (status: RunStatus, finishedAt: number | null, createdAt = T0, of = task) => {
          const run = makeRun(of, { status, createdAt });
          await store.runs.insert(run);
          if (finishedAt !== null) await store.runs.update(run.id, { finishedAt });
          const jobstate = makeJobstate(run, { status: 'finished' });
          await store.jobstates.insertMany([jobstate]);
          await store.logs.append(jobstate.id, 1, [{ ts: T0, stream: 'stdout', line: 'x' }]);
          await store.ledger.record(makeLedger({ taskId: of.id, target: jobstate.id, jobstateId: jobstate.id }));
          return { run, jobstate };
        };
        const old = [
          await make('finished', cutoff - 1),
          await make('error', cutoff - 500),
          await make('cancelled', cutoff - 2),
          await make('missed', null),
          await make('skipped', null),
        ];
        const kept = [
          await make('finished', cutoff),
          await make('running', null),
          await make('pending', null),
          await make('missed', null, cutoff + 1),
          // Another org's old run is not the org's to delete.
          await make('finished', cutoff - 1, T0, await seedTask(store)),
        ];
        assert.equal(await store.runs.deleteFinishedBefore(task.orgId, cutoff, 3), 3);
        assert.equal(await store.runs.deleteFinishedBefore(task.orgId, cutoff, 100), 2);
        assert.equal(await store.runs.deleteFinishedBefore(task.orgId, cutoff, 100), 0);
        for (const { run, jobstate } of old) {
          assert.equal(await store.runs.get(run.id), null);
          assert.equal(await store.jobstates.get(jobstate.id), null);
          assert.equal(await store.logs.count(jobstate.id), 0);
        }
        for (const { run, jobstate } of kept) {
          assert.notEqual(await store.runs.get(run.id), null);
          assert.equal(await store.logs.count(jobstate.id), 1);
        }
        // The ledger stays, the other org's entry included.
        assert.equal((await store.ledger.listForTask(task.id)).length, old.length + kept.length - 1);
      },
    );
  });
}
