// Transactions: all or nothing, concurrent ones do not block each other forever, misuse fails loudly.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { makeJobstate, makeOrg, makeRun, makeTask } from '../fixtures.ts';
import { type OpenStore, rejectsWithCode, storeTest } from './harness.ts';

export function transactionCases(open: OpenStore): void {
  describe('transactions', () => {
    storeTest(open, 'commits every write and returns the body’s value', async (store) => {
      const org = makeOrg();
      const task = makeTask(org.id);
      const result = await store.transaction(async (tx) => {
        await tx.orgs.create(org);
        await tx.tasks.create(task);
        return 42;
      });
      assert.equal(result, 42);
      assert.deepEqual(await store.tasks.get(task.id), task);
    });

    storeTest(open, 'a throwing body leaves nothing behind and rethrows', async (store) => {
      const org = makeOrg();
      const task = makeTask(org.id);
      const run = makeRun(task);
      const boom = new Error('boom');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.orgs.create(org);
          await tx.tasks.create(task);
          await tx.runs.insert(run);
          await tx.jobstates.insertMany([makeJobstate(run)]);
          await tx.tasks.delete(task.id);
          await tx.tasks.create(task);
          throw boom;
        }),
        (error) => error === boom,
      );
      assert.equal(await store.orgs.get(org.id), null);
      assert.equal(await store.tasks.get(task.id), null);
      assert.equal(await store.runs.get(run.id), null);
    });

    storeTest(open, 'a conflict inside a transaction rolls it back as a catalog error', async (store) => {
      await store.orgs.create(makeOrg({ name: 'taken' }));
      const fresh = makeOrg();
      await rejectsWithCode(
        store.transaction(async (tx) => {
          await tx.orgs.create(fresh);
          await tx.orgs.create(makeOrg({ name: 'taken' }));
        }),
        'org_name_taken',
      );
      assert.equal(await store.orgs.get(fresh.id), null);
    });

    storeTest(open, 'concurrent transactions and plain calls all complete', async (store) => {
      const orgs = Array.from({ length: 6 }, () => makeOrg());
      await Promise.all([
        ...orgs.slice(0, 5).map((org) =>
          store.transaction(async (tx) => {
            await tx.orgs.create(org);
            return tx.orgs.get(org.id);
          }),
        ),
        store.orgs.create(orgs[5] ?? makeOrg()),
      ]);
      assert.equal((await store.orgs.list({ limit: 100 })).items.length, 6);
    });

    storeTest(open, 'using the store itself inside a transaction fails instead of hanging', async (store) => {
      const org = makeOrg();
      await rejectsWithCode(
        store.transaction(async (tx) => {
          await tx.orgs.create(org);
          await store.orgs.get(org.id);
        }),
        'internal',
        /transaction/,
      );
      await rejectsWithCode(
        store.transaction(() => store.transaction(async () => 1)),
        'internal',
      );
      assert.equal(await store.orgs.get(org.id), null, 'the failed transaction rolled back');
      // Work a finished transaction left behind runs normally.
      let later: Promise<unknown> = Promise.resolve();
      await store.transaction(async () => {
        later = new Promise((resolve) => setTimeout(resolve, 1)).then(() => store.orgs.create(org));
      });
      await later;
      assert.notEqual(await store.orgs.get(org.id), null);
    });

    storeTest(open, 'migrate is idempotent', async (store) => {
      await store.migrate();
      await store.orgs.create(makeOrg());
      await store.migrate();
      assert.equal((await store.orgs.list({ limit: 10 })).items.length, 1);
    });
  });
}
