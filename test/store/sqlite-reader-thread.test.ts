// The reads that walk a whole table (the metrics' counts by status) run on a connection of
// their own in a worker thread (store/sqlite/reader-thread.ts): on the store's connection
// they held the event loop for as long as they ran, and waited for any transaction under way.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { makeJobstate, seedRun } from './fixtures.ts';

test("the counts by status answer during a transaction, with what is committed: they are not on the store's connection", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'taskwarden-reader-'));
  const store = await openSqliteStore({ file: join(dir, 'store.db') });
  try {
    await store.migrate();
    const run = await seedRun(store, { status: 'running' });
    await store.jobstates.insertMany([makeJobstate(run, { status: 'finished' }), makeJobstate(run)]);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A transaction holds the store's one connection (its turn) until released.
    const transaction = store.transaction(async (tx) => {
      await tx.jobstates.insertMany([makeJobstate(run, { status: 'finished' })]);
      await held;
    });
    const counts = Promise.all([store.jobstates.countByStatus(), store.runs.countByStatus()]);
    const waiting = new AbortController();
    const gaveUp = sleep(5_000, null, { signal: waiting.signal }).catch(() => null);
    const answered = await Promise.race([counts, gaveUp]);
    waiting.abort();
    release();
    await transaction;
    assert.ok(answered, 'the counts waited for the transaction: they ran on its connection');
    const [jobstates, runs] = answered;
    assert.deepEqual([jobstates.finished, jobstates.waiting, runs.running], [1, 1, 1], 'the committed rows only');
    // Once committed, the thread's connection sees the transaction's rows too.
    assert.equal((await store.jobstates.countByStatus()).finished, 2);
    // A run's own counts are sought on its index, on the store's connection: in a transaction, its rows as they are there.
    await store.transaction(async (tx) => {
      await tx.jobstates.insertMany([makeJobstate(run, { status: 'finished' })]);
      assert.equal((await tx.jobstates.countsByRun(run.id)).finished, 3);
    });
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
