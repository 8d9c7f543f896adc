// An idle node's notification passes: before, every pass of the delivery loop opened a
// write transaction to bundle queued events, whether or not any were queued (on SQLite,
// BEGIN IMMEDIATE: the file's write lock, taken every pass by every idle node). Now a pass
// reads first (deliveries.hasQueued) and writes only when a channel has something to bundle;
// and where this node is the store's only writer (SQLite) it sleeps until the next due time
// its store reads, or a kick, not every maxSleepMs.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import type { Notifier } from '../../src/core/ports/notifications.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { DEFAULT_NOTIFY_OPTIONS, DeliveryLoop } from '../../src/engine/notify/delivery-loop.ts';
import { type EngineHarness, startEngineHarness } from '../support/engine.ts';

let h: EngineHarness;
beforeEach(async () => {
  h = await startEngineHarness();
});
afterEach(() => h.cleanup());

/** The store, counting the transactions opened through it. */
function counting(store: Store): { store: Store; transactions: () => number } {
  let transactions = 0;
  const counted = new Proxy(store, {
    get(target, key) {
      if (key === 'transaction') {
        return (fn: Parameters<Store['transaction']>[0]) => {
          transactions++;
          return target.transaction(fn);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: counted, transactions: () => transactions };
}

test('passes with nothing queued open no transaction; a queued event is bundled in one', async () => {
  const { store, transactions } = counting(h.store);
  const sent: string[] = [];
  const notifier: Notifier = { send: async ({ deliveryId }) => void sent.push(deliveryId) };
  const loop = new DeliveryLoop({ ...h.engine.ctx, store }, notifier, { ...DEFAULT_NOTIFY_OPTIONS, digestWindowMs: 0 });
  const now = h.clock.now();
  const channel = await h.store.channels.create({
    id: newId(),
    orgId: h.orgId,
    name: 'ops',
    kind: 'webhook',
    url: 'http://127.0.0.1:9/',
    to: [],
    secret: null,
    createdAt: now,
    updatedAt: now,
  });
  for (let i = 0; i < 5; i++) await loop.pass();
  assert.equal(transactions(), 0, 'idle passes took no write transaction');

  const runId = newId();
  await h.store.deliveries.enqueue([
    {
      channelId: channel.id,
      runId,
      orgId: h.orgId,
      at: now,
      event: {
        event: 'run.error',
        summary: 'x: run ended in error',
        task: { id: 't', name: 'x' },
        run: {
          id: runId,
          status: 'error',
          reason: 'manual',
          statusReason: null,
          counts: { error: 1 },
          completion: 100,
          fireAt: new Date(now).toISOString(),
          startedAt: null,
          finishedAt: null,
        },
        line: 'x — 0 ok, 1 failed — completion 100 % — error',
        failed: [],
        failedTotal: 0,
      },
    },
  ]);
  await loop.pass();
  assert.equal(transactions(), 1, 'the queued event was bundled in one transaction');
  const deliveries = (await h.store.deliveries.list({ channelId: channel.id }, { limit: 10 })).items;
  assert.deepEqual(
    deliveries.map((d) => d.eventCount),
    [1],
  );
  await loop.stop(1_000);
  assert.deepEqual(sent, [deliveries[0]?.id]);
});

test('an idle delivery loop passes once a safety interval where this node is the only writer, not every maxSleepMs', async () => {
  let passes = 0;
  const deliveries = h.store.deliveries;
  const hasQueued = deliveries.hasQueued.bind(deliveries);
  deliveries.hasQueued = (...args) => {
    passes++;
    return hasQueued(...args);
  };
  const notifier: Notifier = { send: async () => {} };
  const loop = new DeliveryLoop(h.engine.ctx, notifier, DEFAULT_NOTIFY_OPTIONS);
  loop.start();
  const rest = async () => {
    const giveUpAt = Date.now() + 30_000;
    for (let before = -1; before !== passes || h.clock.sleeping === 0; ) {
      if (Date.now() > giveUpAt) throw new Error(`the delivery loop did not come to rest (${passes} passes)`);
      before = passes;
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  };
  try {
    await rest();
    const before = passes;
    for (let t = 0; t < 60; t++) {
      h.clock.advance(1_000);
      await rest();
    }
    const { maxSleepMs, safetyPassMs } = h.engine.ctx.options;
    const pollMs = h.store.capabilities.multiNode ? maxSleepMs : safetyPassMs;
    // Before: a pass (a read of queued events and one of the next due time) every maxSleepMs, 12 a minute.
    assert.ok(passes - before <= Math.ceil(60_000 / pollMs), `${passes - before} passes in an idle minute`);
  } finally {
    await loop.stop(0);
  }
});
