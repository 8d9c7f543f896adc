// Jobstates: bulk insert, fenced updates, run-level operations and counts.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../../src/core/ids.ts';
import { JOBSTATE_STATUSES, type Jobstate } from '../../../src/core/model.ts';
import type { OwnedUpdate } from '../../../src/core/ports/store.ts';
import { BULK_CHUNK } from '../../../src/store/sql/bulk-insert.ts';
import { makeJobstate, seedRun, T0 } from '../fixtures.ts';
import { ids, type OpenStore, rejectsWithCode, storeTest, walk } from './harness.ts';

export function jobstateCases(open: OpenStore): void {
  describe('jobstates', () => {
    storeTest(open, 'insertMany stores every field; allOfRun orders by job then id', async (store) => {
      const run = await seedRun(store);
      const second = makeJobstate(run, { jobIndex: 1, job: 'announce', agentId: 'agent-1', checkpoint: { at: 3 } });
      const first = makeJobstate(run, {
        result: { exit: 0, out: ['a'] },
        dueAt: T0,
        reason: 'delay',
        elapsedMs: 2 ** 33,
      });
      await store.jobstates.insertMany([second, first]);
      await store.jobstates.insertMany([]);
      assert.deepEqual(await store.jobstates.get(first.id), first);
      assert.deepEqual(await store.jobstates.get(second.id), second);
      assert.equal(await store.jobstates.get('missing'), null);
      assert.deepEqual(ids(await store.jobstates.allOfRun(run.id)), [first.id, second.id]);
    });

    storeTest(open, 'insertMany is all or nothing, also across its internal batches', async (store) => {
      const run = await seedRun(store);
      const many = BULK_CHUNK + 50;
      const batch = Array.from({ length: many }, () => makeJobstate(run));
      const clash = batch[BULK_CHUNK + 20];
      assert.ok(clash);
      batch.push({ ...clash });
      await rejectsWithCode(store.jobstates.insertMany(batch), 'record_exists');
      assert.deepEqual(await store.jobstates.allOfRun(run.id), []);
      await store.jobstates.insertMany(batch.slice(0, many));
      assert.equal((await store.jobstates.allOfRun(run.id)).length, many);
    });

    storeTest(open, 'insertMany stores each row as given, whichever columns vary across the batch', async (store) => {
      const run = await seedRun(store);
      const other = await seedRun(store);
      // Columns the same in every row, columns that vary, values null in some rows only,
      // large numbers, text that needs quoting in SQL or in JSON, params of other jobs.
      const odd = `it's "quoted" \\ back\\slash, accents éàü, emoji 🚀, tab\t, newline\n, {"json": [1]}`;
      const batch = [
        makeJobstate(run, { agentId: 'agent-1', status: 'prepared', preparedAt: T0, dueAt: T0, wave: 1 }),
        makeJobstate(run, { agentId: null, jobIndex: 1, job: 'announce', module: 'command', params: { text: odd } }),
        makeJobstate(other, {
          agentId: 'agent-2',
          status: 'running',
          reason: 'delay',
          attempt: 3,
          params: { nested: { list: [1, null, 'x'] }, big: 2 ** 40 },
          dueAt: 2 ** 41,
          windowClosesAt: T0 + 1,
          timeoutSeconds: 0,
          startedAt: T0 + 2,
          leaseOwner: odd,
          leaseExpiresAt: T0 + 3,
          checkpoint: { at: odd },
          result: { exit: -1 },
          eventSeq: 7,
          progress: { percent: 50, message: odd, at: T0 + 3 },
          elapsedMs: 2 ** 33,
          updatedAt: T0 + 4,
        }),
        makeJobstate(run, { agentId: 'agent-3', status: 'prepared', preparedAt: T0, dueAt: T0, wave: 2 }),
      ];
      await store.jobstates.insertMany(batch);
      for (const js of batch) assert.deepEqual(await store.jobstates.get(js.id), js);
    });

    storeTest(
      open,
      'getShared reads the jobstates named, by id, skipping unknown ids, also in a transaction',
      async (store) => {
        const run = await seedRun(store);
        const [one, two] = [makeJobstate(run), makeJobstate(run, { status: 'running' })];
        await store.jobstates.insertMany([one, two]);
        assert.deepEqual(await store.jobstates.getShared([two.id, 'missing', one.id]), [one, two]);
        assert.deepEqual(await store.jobstates.getShared([]), []);
        const inTx = await store.transaction((tx) => tx.jobstates.getShared([two.id]));
        assert.deepEqual(inTx, [two]);
      },
    );

    storeTest(open, 'listByRun pages through a run’s jobstates once each', async (store) => {
      const run = await seedRun(store);
      const other = await seedRun(store);
      const mine = Array.from({ length: 5 }, () => makeJobstate(run));
      await store.jobstates.insertMany([...mine, makeJobstate(other)]);
      const { items, pages } = await walk((p) => store.jobstates.listByRun(run.id, p), 2);
      assert.deepEqual(ids(items), ids(mine));
      assert.equal(pages, 3);
    });

    storeTest(open, 'update writes only while the fence holds', async (store) => {
      const run = await seedRun(store);
      const js = makeJobstate(run, {
        status: 'running',
        attempt: 2,
        leaseOwner: 'node-a',
        leaseExpiresAt: T0 + 10,
        eventSeq: 3,
      });
      await store.jobstates.insertMany([js]);
      const finish = { status: 'finished' as const, finishedAt: T0 + 5, result: { ok: true }, updatedAt: T0 + 5 };
      assert.equal(await store.jobstates.update(js.id, finish, { status: ['prepared'] }), false);
      assert.equal(await store.jobstates.update(js.id, finish, { attempt: 1 }), false);
      assert.equal(await store.jobstates.update(js.id, finish, { leaseOwner: 'node-b' }), false);
      assert.equal(await store.jobstates.update(js.id, finish, { leaseOwner: null }), false);
      assert.equal(await store.jobstates.update(js.id, finish, { status: [] }), false);
      // The lease ends at T0 + 10: not before T0 + 10, so not up for recovery then.
      assert.equal(await store.jobstates.update(js.id, finish, { leaseExpiredBefore: T0 + 10 }), false);
      assert.equal(await store.jobstates.update(js.id, finish, { eventSeq: 0 }), false);
      assert.deepEqual(await store.jobstates.get(js.id), js);
      const fence = {
        status: ['running' as const],
        attempt: 2,
        leaseOwner: 'node-a',
        leaseExpiredBefore: T0 + 11,
        eventSeq: 3,
      };
      assert.equal(await store.jobstates.update(js.id, finish, fence), true);
      assert.deepEqual(await store.jobstates.get(js.id), { ...js, ...finish });
      assert.equal(await store.jobstates.update('missing', finish), false);
    });

    storeTest(
      open,
      'updateOwned writes each row its own values, only where its lease and attempt still hold',
      async (store) => {
        const run = await seedRun(store);
        const held = (owner: string, attempt = 1) =>
          makeJobstate(run, { status: 'running', attempt, leaseOwner: owner, leaseExpiresAt: T0 + 10 });
        const rows = [held('node-a/1'), held('node-a/1', 2), held('node-b/7'), held('node-a/2'), held('node-a/2')];
        const [taken, cancelled] = [
          held('node-c/1'),
          makeJobstate(run, { status: 'cancelled', leaseOwner: 'node-a/1' }),
        ];
        await store.jobstates.insertMany([...rows, taken, cancelled]);
        const end = (i: number) => ({
          status: i % 2 === 0 ? ('finished' as const) : ('error' as const),
          reason: i % 2 === 0 ? null : ('module_failed' as const),
          finishedAt: T0 + i,
          leaseOwner: null,
          leaseExpiresAt: null,
          result: { chunk: i, out: [`line ${i}`] },
          elapsedMs: 2 ** 33 + i,
          updatedAt: T0 + i,
        });
        const updates = [...rows, taken, cancelled].map((js, i) => ({
          id: js.id,
          patch: end(i),
          attempt: js.attempt,
          // The one taken over since: its owner is another now.
          leaseOwner: js === taken ? 'node-a/9' : (js.leaseOwner as string),
        }));
        assert.equal(await store.jobstates.updateOwned(updates, ['running']), rows.length);
        for (const [i, js] of rows.entries()) assert.deepEqual(await store.jobstates.get(js.id), { ...js, ...end(i) });
        assert.deepEqual(await store.jobstates.get(taken.id), taken);
        assert.deepEqual(await store.jobstates.get(cancelled.id), cancelled);
        assert.equal(await store.jobstates.updateOwned([], ['running']), 0);
        assert.equal(await store.jobstates.updateOwned(updates.slice(0, 1), []), 0);
      },
    );

    storeTest(
      open,
      'updateOwned fenced by event seqs: each row written only where its attempt and seq still hold',
      async (store) => {
        const run = await seedRun(store);
        const running = (eventSeq: number, attempt = 1) =>
          makeJobstate(run, { status: 'running', attempt, agentId: 'agent-1', runner: 'agent', eventSeq });
        const rows = [running(0), running(2), running(5, 3)];
        const [moved, stale] = [running(4), running(1, 2)];
        await store.jobstates.insertMany([...rows, moved, stale]);
        const end = (i: number) => ({
          status: 'finished' as const,
          finishedAt: T0 + i,
          eventSeq: 10 + i,
          result: { exitCode: i },
          updatedAt: T0 + i,
        });
        const updates = [...rows, moved, stale].map((js, i) => ({
          id: js.id,
          patch: end(i),
          // Another events call moved this one's seq since it was read; that one's attempt is past.
          attempt: js === stale ? 1 : js.attempt,
          eventSeq: js === moved ? 3 : js.eventSeq,
        }));
        assert.equal(await store.jobstates.updateOwned(updates, ['running']), rows.length);
        for (const [i, js] of rows.entries()) assert.deepEqual(await store.jobstates.get(js.id), { ...js, ...end(i) });
        assert.deepEqual(await store.jobstates.get(moved.id), moved);
        assert.deepEqual(await store.jobstates.get(stale.id), stale);
        const mixed = [updates[0], { ...updates[1], eventSeq: undefined, leaseOwner: 'node-a' }] as typeof updates;
        await assert.rejects(store.jobstates.updateOwned(mixed, ['running']), /fenced otherwise/);
      },
    );

    storeTest(open, 'updateOwned with values every row shares, and a column of numbers and nulls', async (store) => {
      const run = await seedRun(store);
      const held = () => makeJobstate(run, { status: 'running', leaseOwner: 'node-a', leaseExpiresAt: T0 + 10 });
      const rows = [held(), held(), held(), held()];
      await store.jobstates.insertMany(rows);
      const owned = (js: Jobstate, patch: OwnedUpdate['patch']): OwnedUpdate => ({
        id: js.id,
        patch,
        attempt: 1,
        leaseOwner: 'node-a',
      });
      // Every value one for all rows (PostgreSQL binds each list once; the ids alone vary).
      const same = { leaseExpiresAt: T0 + 20, checkpoint: { page: 1 }, updatedAt: T0 + 1 };
      const shared = rows.slice(0, 3).map((js) => owned(js, same));
      assert.equal(await store.jobstates.updateOwned(shared, ['running']), 3);
      assert.equal(await store.jobstates.updateOwned(shared.slice(0, 1), ['running']), 1);
      // A number column whose rows hold numbers and nulls, a text column of text and nulls.
      const mixed = rows.map((js, i) =>
        owned(js, {
          leaseExpiresAt: i % 2 === 0 ? null : T0 + 30 + i,
          checkpoint: i % 2 === 0 ? { page: i } : null,
          updatedAt: T0 + 2,
        }),
      );
      assert.equal(await store.jobstates.updateOwned(mixed, ['running']), rows.length);
      for (const [i, js] of rows.entries())
        assert.deepEqual(await store.jobstates.get(js.id), { ...js, ...mixed[i]?.patch });
    });

    storeTest(open, 'update without a fence writes; null clears a value', async (store) => {
      const run = await seedRun(store);
      const js = makeJobstate(run, { checkpoint: { page: 2 }, leaseOwner: 'node-a' });
      await store.jobstates.insertMany([js]);
      const patch = {
        checkpoint: null,
        leaseOwner: null,
        params: { package: 'thunderbird' },
        elapsedMs: 90_000,
        updatedAt: T0 + 1,
      };
      assert.equal(await store.jobstates.update(js.id, patch, { leaseOwner: 'node-a' }), true);
      assert.deepEqual(await store.jobstates.get(js.id), { ...js, ...patch });
      assert.equal(
        await store.jobstates.update(js.id, { status: 'prepared', preparedAt: T0 + 2, updatedAt: T0 + 2 }),
        true,
      );
      assert.equal((await store.jobstates.get(js.id))?.status, 'prepared');
    });

    storeTest(open, 'endOpenOfRun ends the non-terminal jobstates of one run and drops their leases', async (store) => {
      const run = await seedRun(store);
      const other = await seedRun(store);
      const unfinished = [
        makeJobstate(run, { status: 'waiting' }),
        makeJobstate(run, { status: 'prepared' }),
        makeJobstate(run, { status: 'running', leaseOwner: 'node-a', leaseExpiresAt: T0 + 10 }),
      ];
      const done = makeJobstate(run, { status: 'finished', finishedAt: T0 - 1 });
      const elsewhere = makeJobstate(other, { status: 'waiting' });
      await store.jobstates.insertMany([...unfinished, done, elsewhere]);
      const ended = await store.jobstates.endOpenOfRun(run.id, 'cancelled', 'cancelled_by_user', T0 + 3);
      assert.deepEqual([...ended].sort(), ids(unfinished).sort());
      for (const js of unfinished) {
        const stored = await store.jobstates.get(js.id);
        assert.equal(stored?.status, 'cancelled');
        assert.equal(stored?.reason, 'cancelled_by_user');
        assert.equal(stored?.finishedAt, T0 + 3);
        assert.equal(stored?.updatedAt, T0 + 3);
        assert.equal(stored?.leaseOwner, null);
      }
      assert.deepEqual(await store.jobstates.get(done.id), done);
      assert.deepEqual(await store.jobstates.get(elsewhere.id), elsewhere);
      assert.deepEqual(await store.jobstates.endOpenOfRun(run.id, 'cancelled', 'cancelled_by_user', T0 + 4), []);
    });

    storeTest(open, 'countsByRun has every status, zero when none', async (store) => {
      const run = await seedRun(store);
      const empty = await store.jobstates.countsByRun(run.id);
      assert.deepEqual(empty, Object.fromEntries(JOBSTATE_STATUSES.map((s) => [s, 0])));
      await store.jobstates.insertMany([
        makeJobstate(run, { status: 'waiting' }),
        makeJobstate(run, { status: 'finished' }),
        makeJobstate(run, { status: 'finished' }),
        makeJobstate(run, { status: 'error' }),
      ]);
      assert.deepEqual(await store.jobstates.countsByRun(run.id), { ...empty, waiting: 1, finished: 2, error: 1 });
    });

    storeTest(open, 'countByStatus counts over every run and org; serverOnly keeps the server ones', async (store) => {
      const zero = Object.fromEntries(JOBSTATE_STATUSES.map((s) => [s, 0]));
      assert.deepEqual(await store.jobstates.countByStatus(), zero);
      const first = await seedRun(store);
      const second = await seedRun(store);
      await store.jobstates.insertMany([
        makeJobstate(first, { status: 'prepared' }),
        makeJobstate(first, { status: 'prepared', agentId: 'agent-1' }),
        makeJobstate(second, { status: 'finished' }),
        makeJobstate(second, { status: 'prepared' }),
      ]);
      assert.deepEqual(await store.jobstates.countByStatus(), { ...zero, prepared: 3, finished: 1 });
      assert.deepEqual(await store.jobstates.countByStatus({ serverOnly: true }), {
        ...zero,
        prepared: 2,
        finished: 1,
      });
    });

    storeTest(open, 'countBusy counts prepared and running jobstates of a module in an org', async (store) => {
      const run = await seedRun(store);
      const other = await seedRun(store);
      await store.jobstates.insertMany([
        makeJobstate(run, { status: 'prepared' }),
        makeJobstate(run, { status: 'running' }),
        makeJobstate(run, { status: 'waiting' }),
        makeJobstate(run, { status: 'finished' }),
        makeJobstate(run, { status: 'running', module: 'inventory' }),
        makeJobstate(other, { status: 'running' }),
      ]);
      assert.equal(await store.jobstates.countBusy(run.orgId, 'deploy'), 2);
      assert.equal(await store.jobstates.countBusy(run.orgId, 'wakeonlan'), 0);
    });

    storeTest(open, 'listDueWaiting returns due waiting jobstates of running runs, earliest first', async (store) => {
      const running = await seedRun(store, { status: 'running' });
      const pending = await seedRun(store);
      const later = makeJobstate(running, { dueAt: T0 });
      const sooner = makeJobstate(running, { dueAt: T0 - 5 });
      await store.jobstates.insertMany([
        later,
        sooner,
        makeJobstate(running, { dueAt: T0 + 1 }),
        makeJobstate(running, { dueAt: null }),
        makeJobstate(running, { dueAt: T0 - 9, status: 'prepared' }),
        makeJobstate(pending, { dueAt: T0 - 9 }),
      ]);
      assert.deepEqual(ids(await store.jobstates.listDueWaiting(T0, 10)), [sooner.id, later.id]);
      assert.deepEqual(ids(await store.jobstates.listDueWaiting(T0, 1)), [sooner.id]);
    });

    storeTest(open, 'wake gives parked jobstates matching the filter a due time', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const parked = makeJobstate(run, { jobIndex: 1, reason: 'waiting_previous' });
      const otherJob = makeJobstate(run, { jobIndex: 2, reason: 'waiting_previous' });
      const postponed = makeJobstate(run, { reason: 'postponed', module: 'inventory' });
      const recheckLater = makeJobstate(run, { jobIndex: 1, reason: 'waiting_previous', dueAt: T0 + 50 });
      const alreadyDue = makeJobstate(run, { jobIndex: 1, reason: 'waiting_previous', dueAt: T0 + 3 });
      await store.jobstates.insertMany([parked, otherJob, postponed, recheckLater, alreadyDue]);
      assert.equal(await store.jobstates.wake({ reason: 'waiting_previous', runId: run.id, jobIndex: 1 }, T0 + 7), 2);
      assert.equal((await store.jobstates.get(parked.id))?.dueAt, T0 + 7);
      assert.equal(
        (await store.jobstates.get(recheckLater.id))?.dueAt,
        T0 + 7,
        'a later safety recheck is brought forward',
      );
      assert.equal((await store.jobstates.get(otherJob.id))?.dueAt, null);
      assert.equal((await store.jobstates.get(alreadyDue.id))?.dueAt, T0 + 3, 'an earlier due time is kept');
      const filter = { reason: 'postponed' as const, orgId: run.orgId, module: 'deploy' };
      assert.equal(await store.jobstates.wake(filter, T0 + 8), 0);
      assert.equal(await store.jobstates.wake({ ...filter, module: 'inventory', orgId: newId() }, T0 + 8), 0);
      assert.equal(await store.jobstates.wake({ ...filter, module: 'inventory' }, T0 + 8), 1);
      assert.equal((await store.jobstates.get(postponed.id))?.dueAt, T0 + 8);
    });
  });
}
