// The SQLite store while another connection (here in this process; in the fault test
// another process) holds the file's write lock: writes give up with store_busy after a
// bounded, asynchronous wait, reads go on meanwhile, ping says why, and a lock released
// within the wait costs nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Store } from '../../src/core/ports/store.ts';
import { BUSY_BUDGET_MS } from '../../src/store/sqlite/dialect.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { longestStall } from '../support/event-loop.ts';
import { rejectsWithCode } from './conformance/harness.ts';
import { makeOrg } from './fixtures.ts';

/** What a refused write may take beyond the budget on a loaded machine. */
const SLACK_MS = 2_000;

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A migrated store on a fresh file, and a second connection to the file that can hold its write lock. */
async function lockedStore(body: (store: Store, lock: { take(): void; release(): void }) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'taskwarden-lock-'));
  dirs.push(dir);
  const file = join(dir, 'store.db');
  const store = await openSqliteStore({ file });
  await store.migrate();
  const other = new Database(file);
  try {
    await body(store, {
      take: () => other.exec('BEGIN EXCLUSIVE'),
      release: () => other.exec('COMMIT'),
    });
  } finally {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await store.close();
  }
}

test('locked by another connection: a write gives up with store_busy, reads go on, ping says why; all works after', () =>
  lockedStore(async (store, lock) => {
    const kept = makeOrg();
    await store.orgs.create(kept);
    lock.take();

    const refused = makeOrg();
    const started = performance.now();
    const write = store.orgs.create(refused);
    // The write waits without holding the connection: a read started after it answers first.
    const read = store.orgs.get(kept.id).then((org) => ({ org, at: performance.now() }));
    const stall = await longestStall(write);
    const writeMs = performance.now() - started;
    await rejectsWithCode(write, 'store_busy', /database locked by another process/);
    assert.ok(writeMs >= BUSY_BUDGET_MS / 2, `the write waited for the lock a while (${Math.round(writeMs)} ms)`);
    assert.ok(writeMs <= BUSY_BUDGET_MS + SLACK_MS, `and gave up in time (${Math.round(writeMs)} ms)`);
    assert.ok(stall < 500, `the event loop turned meanwhile (longest stall ${Math.round(stall)} ms)`);
    const { org, at } = await read;
    assert.deepEqual(org, kept);
    assert.ok(at - started < writeMs / 2, 'the read did not wait for the write to give up');

    let ran = false;
    await rejectsWithCode(
      store.transaction(async () => {
        ran = true;
      }),
      'store_busy',
    );
    assert.equal(ran, false, 'a transaction that cannot take the lock never starts its body');
    await rejectsWithCode(store.ping(), 'store_busy', /database locked by another process/);

    lock.release();
    await store.ping();
    await store.orgs.create(refused);
    assert.deepEqual(await store.orgs.get(refused.id), refused);
  }));

test('a lock released within the wait costs the write nothing but the wait', () =>
  lockedStore(async (store, lock) => {
    lock.take();
    const org = makeOrg();
    const write = store.transaction((tx) => tx.orgs.create(org));
    await new Promise((resolve) => setTimeout(resolve, BUSY_BUDGET_MS / 4));
    lock.release();
    await write;
    assert.deepEqual(await store.orgs.get(org.id), org);
  }));
