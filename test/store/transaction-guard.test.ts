// The check that a store is not used inside its own transactions (TransactionScope) is on
// for tests and off in production: on Node 20 its AsyncLocalStorage turns on the promise
// hooks of every promise of the process. Off, a transaction takes no async-context store
// at all; on, it does and the misuse fails (the conformance test "using the store itself
// inside a transaction fails instead of hanging" is what it catches).
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Store } from '../../src/core/ports/store.ts';
import { transactionGuardWanted } from '../../src/store/sql/transaction-scope.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { rejectsWithCode } from './conformance/harness.ts';
import { makeOrg } from './fixtures.ts';

test('the guard is wanted when TASKWARDEN_TX_GUARD says so, else under the test runner only', () => {
  assert.equal(transactionGuardWanted({ TASKWARDEN_TX_GUARD: '1' }), true);
  assert.equal(transactionGuardWanted({ TASKWARDEN_TX_GUARD: '0', NODE_TEST_CONTEXT: 'child-v8' }), false);
  assert.equal(transactionGuardWanted({ NODE_TEST_CONTEXT: 'child-v8' }), true);
  assert.equal(transactionGuardWanted({}), false, 'production: off');
  assert.equal(transactionGuardWanted(process.env), true, 'this file runs under the test runner');
});

/** Opens a SQLite store with TASKWARDEN_TX_GUARD=`guard` and counts the async-context stores its work enters. */
async function withStore(guard: '0' | '1', body: (store: Store, entered: () => number) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'taskwarden-guard-'));
  const before = process.env['TASKWARDEN_TX_GUARD'];
  process.env['TASKWARDEN_TX_GUARD'] = guard;
  const { run } = AsyncLocalStorage.prototype;
  let entered = 0;
  AsyncLocalStorage.prototype.run = function (this: AsyncLocalStorage<unknown>, ...args: Parameters<typeof run>) {
    entered++;
    return run.apply(this, args);
  } as typeof run;
  try {
    const store = await openSqliteStore({ file: join(dir, 'store.db') });
    if (before === undefined) delete process.env['TASKWARDEN_TX_GUARD'];
    else process.env['TASKWARDEN_TX_GUARD'] = before;
    try {
      await store.migrate();
      await body(store, () => entered);
    } finally {
      await store.close();
    }
  } finally {
    AsyncLocalStorage.prototype.run = run;
    await rm(dir, { recursive: true, force: true });
  }
}

test('guard off (production): transactions enter no async-context store', () =>
  withStore('0', async (store, entered) => {
    const org = makeOrg();
    await store.transaction((tx) => tx.orgs.create(org));
    assert.notEqual(await store.orgs.get(org.id), null);
    assert.equal(entered(), 0);
  }));

test('guard on: transactions run in a scope and the store used inside one fails', () =>
  withStore('1', async (store, entered) => {
    const org = makeOrg();
    await rejectsWithCode(
      store.transaction(async (tx) => {
        await tx.orgs.create(org);
        await store.orgs.get(org.id);
      }),
      'internal',
      /transaction/,
    );
    assert.ok(entered() > 0);
    assert.equal(await store.orgs.get(org.id), null, 'the failed transaction rolled back');
  }));
