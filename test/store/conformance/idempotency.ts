// Idempotency keys of run starts: one live record per (scope, key), decided by the unique
// key even between concurrent transactions; expired records are replaced or pruned.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { IdempotencyRecord, Store } from '../../../src/core/ports/store.ts';
import { makeRun, seedRun, T0 } from '../fixtures.ts';
import { type OpenStore, storeTest } from './harness.ts';

const DAY = 86_400_000;

async function recordFor(store: Store, over: Partial<IdempotencyRecord> = {}): Promise<IdempotencyRecord> {
  const run = await seedRun(store);
  return {
    scope: 'user-1',
    key: 'k-1',
    request: `POST /api/v1/tasks/${run.taskId}/runs`,
    runId: run.id,
    createdAt: T0,
    ...over,
  };
}

export function idempotencyCases(open: OpenStore): void {
  describe('idempotency keys', () => {
    storeTest(open, 'a live key is claimed once; other scopes and keys are apart', async (store) => {
      const first = await recordFor(store);
      assert.equal(await store.idempotency.claim(first, T0 - DAY), true);
      const second = await recordFor(store, { createdAt: T0 + 1 });
      assert.equal(await store.idempotency.claim(second, T0 + 1 - DAY), false);
      assert.deepEqual(await store.idempotency.get('user-1', 'k-1', T0 - DAY), first);
      assert.equal(await store.idempotency.claim({ ...second, scope: 'user-2' }, T0 - DAY), true);
      assert.equal(await store.idempotency.claim({ ...second, key: 'k-2' }, T0 - DAY), true);
      assert.equal((await store.idempotency.get('user-2', 'k-1', T0 - DAY))?.runId, second.runId);
      assert.equal(await store.idempotency.get('user-3', 'k-1', T0 - DAY), null);
    });

    storeTest(open, 'an expired key is not found, and a new claim replaces it', async (store) => {
      const old = await recordFor(store);
      await store.idempotency.claim(old, T0 - DAY);
      const later = T0 + DAY + 1;
      assert.equal(await store.idempotency.get('user-1', 'k-1', later - DAY), null);
      const fresh = await recordFor(store, { createdAt: later, request: 'POST /elsewhere' });
      assert.equal(await store.idempotency.claim(fresh, later - DAY), true);
      assert.deepEqual(await store.idempotency.get('user-1', 'k-1', later - DAY), fresh);
    });

    storeTest(open, 'of two transactions claiming one key, the second waits for the first and loses', async (store) => {
      const first = await recordFor(store);
      const second = await recordFor(store);
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let claimed = () => {};
      const firstClaimed = new Promise<void>((resolve) => {
        claimed = resolve;
      });
      const a = store.transaction(async (tx) => {
        const won = await tx.idempotency.claim(first, T0 - DAY);
        claimed();
        await held;
        return won;
      });
      await firstClaimed;
      const b = store.transaction((tx) => tx.idempotency.claim(second, T0 - DAY));
      await new Promise((resolve) => setTimeout(resolve, 100));
      release();
      assert.deepEqual(await Promise.all([a, b]), [true, false]);
      assert.equal((await store.idempotency.get('user-1', 'k-1', T0 - DAY))?.runId, first.runId);
    });

    storeTest(open, 'deleteCreatedBefore prunes old keys; a deleted run takes its keys along', async (store) => {
      const old = await recordFor(store, { key: 'old' });
      const kept = await recordFor(store, { key: 'kept', createdAt: T0 + DAY });
      await store.idempotency.claim(old, 0);
      await store.idempotency.claim(kept, 0);
      assert.equal(await store.idempotency.deleteCreatedBefore(T0 + 1), 1);
      assert.equal(await store.idempotency.get('user-1', 'old', 0), null);
      assert.notEqual(await store.idempotency.get('user-1', 'kept', 0), null);

      const run = await store.runs.get(kept.runId);
      assert.ok(run);
      const task = await store.tasks.get(run.taskId);
      assert.ok(task);
      await store.runs.update(run.id, { status: 'finished', finishedAt: T0 });
      assert.equal(await store.runs.deleteFinishedBefore(task.orgId, T0 + 1, 10), 1);
      assert.equal(await store.idempotency.get('user-1', 'kept', 0), null);
      // Another run of the task is untouched, key and all.
      const other = makeRun(task);
      await store.runs.insert(other);
      await store.idempotency.claim({ ...kept, key: 'other', runId: other.id }, 0);
      assert.notEqual(await store.idempotency.get('user-1', 'other', 0), null);
    });
  });
}
