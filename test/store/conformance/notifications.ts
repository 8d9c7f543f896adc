// Channels, the notification queue and deliveries: names per org (and global), events queued
// once per (channel, run), digest windows, exclusive takes and claims, fenced attempt ends.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../../src/core/ids.ts';
import type { RunEvent } from '../../../src/core/notify.ts';
import type { Channel, Delivery, QueuedEvent } from '../../../src/core/ports/notifications.ts';
import type { Store } from '../../../src/core/ports/store.ts';
import { makeOrg, makeRun, makeTask, T0 } from '../fixtures.ts';
import { ids, type OpenStore, rejectsWithCode, storeTest, walk } from './harness.ts';

const makeChannel = (orgId: string | null, over: Partial<Channel> = {}): Channel => ({
  id: newId(),
  orgId,
  name: 'ops-hook',
  kind: 'webhook',
  url: 'https://hooks.example.org/t',
  to: [],
  secret: 's3cret',
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

const event = (runId: string): RunEvent => ({
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
    fireAt: new Date(T0).toISOString(),
    startedAt: null,
    finishedAt: null,
  },
  line: 'x — 0 ok, 1 failed — completion 100 % — error',
  failed: [],
  failedTotal: 0,
});

const queued = (channel: Channel, runId: string, at = T0): QueuedEvent => ({
  channelId: channel.id,
  runId,
  orgId: channel.orgId ?? 'org',
  event: event(runId),
  at,
});

const makeDelivery = (channel: Channel, over: Partial<Delivery> = {}): Delivery => ({
  id: newId(),
  channelId: channel.id,
  orgId: channel.orgId,
  status: 'pending',
  content: event('r-1'),
  eventCount: 1,
  attempts: 0,
  lastError: null,
  nextAttemptAt: T0,
  deliveredAt: null,
  leaseOwner: null,
  leaseExpiresAt: null,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

async function orgWithChannel(store: Store, over: Partial<Channel> = {}): Promise<Channel> {
  const org = await store.orgs.create(makeOrg());
  return store.channels.create(makeChannel(org.id, over));
}

export function notificationCases(open: OpenStore): void {
  describe('notification channels', () => {
    storeTest(open, 'names are unique per org; an org sees its own channel before a global one', async (store) => {
      const a = await orgWithChannel(store);
      const b = await orgWithChannel(store);
      const global = await store.channels.create(
        makeChannel(null, { name: 'ops-hook', url: 'https://global.example/' }),
      );
      await rejectsWithCode(store.channels.create(makeChannel(a.orgId, { name: 'ops-hook' })), 'channel_name_taken');
      await rejectsWithCode(store.channels.create(makeChannel(null, { name: 'ops-hook' })), 'channel_name_taken');
      assert.deepEqual(await store.channels.resolve(a.orgId as string, 'ops-hook'), a);
      assert.equal((await store.channels.resolve(b.orgId as string, 'ops-hook'))?.id, b.id);
      const c = await store.orgs.create(makeOrg());
      assert.equal((await store.channels.resolve(c.id, 'ops-hook'))?.id, global.id);
      assert.equal(await store.channels.resolve(c.id, 'other'), null);
      const mail = await store.channels.create(
        makeChannel(c.id, { name: 'mail', kind: 'email', url: null, secret: null, to: ['a@example.org'] }),
      );
      assert.deepEqual(await store.channels.get(mail.id), mail);
      const { items } = await walk((page) => store.channels.list(a.orgId, page), 1);
      assert.deepEqual(ids(items).sort(), [a.id, global.id].sort());
      assert.deepEqual(ids((await store.channels.list(null, { limit: 10 })).items), [global.id]);
    });

    storeTest(open, 'update changes only what it names; delete takes the queue and deliveries along', async (store) => {
      const channel = await orgWithChannel(store);
      assert.equal(await store.channels.update(channel.id, { secret: null, updatedAt: T0 + 5 }), true);
      assert.deepEqual(await store.channels.get(channel.id), { ...channel, secret: null, updatedAt: T0 + 5 });
      assert.equal(await store.channels.update(newId(), { url: 'https://x/', updatedAt: T0 }), false);
      await store.deliveries.enqueue([queued(channel, 'r-1')]);
      await store.deliveries.insert(makeDelivery(channel));
      await store.channels.delete(channel.id);
      assert.equal(await store.channels.get(channel.id), null);
      assert.deepEqual((await store.deliveries.list({ channelId: channel.id }, { limit: 10 })).items, []);
      assert.deepEqual(await store.deliveries.takeQueued(T0 + 1, 0, { channels: 10, perChannel: 10 }), []);
    });
  });

  describe('notification rules of tasks', () => {
    storeTest(open, "a task's rules are kept as written; none (the org's defaults) stays none", async (store) => {
      const org = await store.orgs.create(makeOrg());
      const notify = [
        { on: ['error' as const, 'timeout' as const], channels: ['ops', 'mail'], when: 'always' as const },
      ];
      const own = await store.tasks.create(makeTask(org.id, { notify }));
      const silent = await store.tasks.create(makeTask(org.id, { notify: [] }));
      const plain = await store.tasks.create(makeTask(org.id));
      assert.deepEqual((await store.tasks.get(own.id))?.notify, notify);
      assert.deepEqual((await store.tasks.get(silent.id))?.notify, []);
      assert.equal('notify' in ((await store.tasks.get(plain.id)) ?? {}), false);
      const { notify: _, ...withoutRules } = own;
      assert.equal(await store.tasks.update({ ...withoutRules, version: 2 }), true);
      assert.equal('notify' in ((await store.tasks.get(own.id)) ?? {}), false);
    });
  });

  describe('notification queue and deliveries', () => {
    storeTest(open, 'a (channel, run) is queued once; taking it opens the digest window', async (store) => {
      const channel = await orgWithChannel(store);
      const other = await orgWithChannel(store, { name: 'other' });
      await store.deliveries.enqueue([queued(channel, 'r-1', T0), queued(channel, 'r-2', T0 + 1)]);
      await store.deliveries.enqueue([queued(channel, 'r-1', T0 + 9), queued(other, 'r-1')]);
      const taken = await store.deliveries.takeQueued(T0 + 10, 60_000, { channels: 10, perChannel: 10 });
      const mine = taken.find((t) => t.channel.id === channel.id);
      assert.deepEqual(
        mine?.events.map((e) => [e.runId, e.at]),
        [
          ['r-1', T0],
          ['r-2', T0 + 1],
        ],
      );
      assert.deepEqual(mine?.events[0]?.event, event('r-1'));
      assert.equal(taken.length, 2);
      // Within the window: queued, not taken; after it: taken.
      await store.deliveries.enqueue([queued(channel, 'r-3', T0 + 20)]);
      assert.deepEqual(await store.deliveries.takeQueued(T0 + 30, 60_000, { channels: 10, perChannel: 10 }), []);
      assert.equal(await store.deliveries.nextDueAt(), T0 + 10 + 60_000);
      const later = await store.deliveries.takeQueued(T0 + 10 + 60_000, 60_000, { channels: 10, perChannel: 10 });
      assert.deepEqual(
        later.flatMap((t) => t.events.map((e) => e.runId)),
        ['r-3'],
      );
      assert.equal(await store.deliveries.nextDueAt(), null);
    });

    storeTest(open, 'hasQueued says whether takeQueued would take anything, and takes nothing', async (store) => {
      const channel = await orgWithChannel(store);
      await orgWithChannel(store, { name: 'idle' });
      assert.equal(await store.deliveries.hasQueued(T0 + 1), false, 'nothing queued');
      await store.deliveries.enqueue([queued(channel, 'r-1', T0)]);
      assert.equal(await store.deliveries.hasQueued(T0 + 1), true);
      assert.equal(await store.deliveries.hasQueued(T0 + 1), true, 'asking took nothing');
      await store.deliveries.takeQueued(T0 + 1, 60_000, { channels: 10, perChannel: 10 });
      assert.equal(await store.deliveries.hasQueued(T0 + 2), false, 'taken');
      await store.deliveries.enqueue([queued(channel, 'r-2', T0 + 5)]);
      assert.equal(await store.deliveries.hasQueued(T0 + 10), false, 'queued, its window still closed');
      assert.equal(await store.deliveries.hasQueued(T0 + 1 + 60_000), true, 'its window open again');
    });

    storeTest(open, 'takers in concurrent transactions never take the same events', async (store) => {
      const channels = [];
      for (let i = 0; i < 6; i++) channels.push(await orgWithChannel(store, { name: `c-${i}` }));
      for (const channel of channels) {
        await store.deliveries.enqueue(Array.from({ length: 5 }, (_, i) => queued(channel, `r-${i}`)));
      }
      const takes = await Promise.all(
        [1, 2, 3].map(() =>
          store.transaction((tx) => tx.deliveries.takeQueued(T0 + 1, 60_000, { channels: 3, perChannel: 100 })),
        ),
      );
      const events = takes.flat().flatMap((t) => t.events.map((e) => `${e.channelId}/${e.runId}`));
      assert.equal(new Set(events).size, events.length, 'an event was taken twice');
      assert.equal(events.length, 30);
    });

    storeTest(
      open,
      'claims lease due deliveries to one claimer, count attempts, and fence attempt ends',
      async (store) => {
        const channel = await orgWithChannel(store);
        const due = makeDelivery(channel, { nextAttemptAt: T0 });
        const later = makeDelivery(channel, { nextAttemptAt: T0 + 1000 });
        const done = makeDelivery(channel, { status: 'delivered', nextAttemptAt: null });
        for (const d of [due, later, done]) await store.deliveries.insert(d);
        const [claimed, ...rest] = await store.deliveries.claimDue('node-a', T0 + 1, T0 + 60_001, 10);
        assert.deepEqual(rest, []);
        assert.equal(claimed?.id, due.id);
        assert.equal(claimed?.attempts, 1);
        assert.equal(claimed?.leaseOwner, 'node-a');
        assert.deepEqual(await store.deliveries.claimDue('node-b', T0 + 2, T0 + 60_002, 10), []);
        const end = {
          status: 'retrying',
          lastError: 'HTTP 500',
          nextAttemptAt: T0 + 500,
          deliveredAt: null,
          updatedAt: T0 + 3,
        } as const;
        assert.equal(await store.deliveries.endAttempt(due.id, 'node-b', end), false, 'not its lease');
        assert.equal(await store.deliveries.endAttempt(due.id, 'node-a', end), true);
        assert.equal(await store.deliveries.endAttempt(due.id, 'node-a', end), false, 'the lease ended with it');
        const stored = await store.deliveries.get(due.id);
        assert.deepEqual(
          { ...stored, content: null },
          {
            ...due,
            content: null,
            status: 'retrying',
            attempts: 1,
            lastError: 'HTTP 500',
            nextAttemptAt: T0 + 500,
            updatedAt: T0 + 3,
          },
        );
        // A lease that ran out (its node died) is taken over, as another attempt.
        const [again] = await store.deliveries.claimDue('node-b', T0 + 1000, T0 + 61_000, 1);
        assert.equal(again?.id, due.id);
        const [taken] = await store.deliveries.claimDue('node-c', T0 + 61_001, T0 + 121_001, 1);
        assert.deepEqual([taken?.id, taken?.attempts, taken?.leaseOwner], [due.id, 3, 'node-c']);
      },
    );

    storeTest(open, 'concurrent claimers never get the same delivery', async (store) => {
      const all: Delivery[] = [];
      for (let i = 0; i < 30; i++) {
        const channel = await orgWithChannel(store, { name: `c-${i}` });
        all.push(makeDelivery(channel, { nextAttemptAt: T0 + i }));
      }
      for (const d of all) await store.deliveries.insert(d);
      const claims = await Promise.all(
        ['a', 'b', 'c'].map((owner) => store.deliveries.claimDue(owner, T0 + 100, T0 + 60_000, 12)),
      );
      const claimed = claims.flatMap(ids);
      assert.equal(new Set(claimed).size, claimed.length, 'a delivery was claimed twice');
      assert.deepEqual([...claimed].sort(), ids(all).sort());
    });

    storeTest(open, "a channel's messages go one at a time, its earliest due first", async (store) => {
      const slow = await orgWithChannel(store, { name: 'slow' });
      const other = await orgWithChannel(store, { name: 'other' });
      const [first, second, third] = [T0, T0 + 1, T0 + 2].map((at) => makeDelivery(slow, { nextAttemptAt: at }));
      const theirs = makeDelivery(other, { nextAttemptAt: T0 + 3 });
      for (const d of [third, second, first, theirs]) await store.deliveries.insert(d as Delivery);
      assert.deepEqual(ids(await store.deliveries.claimDue('a', T0 + 10, T0 + 60_000, 10)), [first?.id, theirs.id]);
      assert.deepEqual(await store.deliveries.claimDue('b', T0 + 11, T0 + 60_011, 10), [], 'the first is in flight');
      const retryLater = {
        status: 'retrying',
        lastError: 'x',
        nextAttemptAt: T0 + 500,
        deliveredAt: null,
        updatedAt: T0 + 12,
      } as const;
      await store.deliveries.endAttempt(first?.id as string, 'a', retryLater);
      // The failed one waits for its retry; the next one due goes meanwhile.
      assert.deepEqual(ids(await store.deliveries.claimDue('b', T0 + 13, T0 + 60_013, 10)), [second?.id]);
    });

    storeTest(open, 'the log lists by org, channel and status, newest first; ended ones are pruned', async (store) => {
      const a = await orgWithChannel(store);
      const b = await orgWithChannel(store);
      const old = makeDelivery(a, { status: 'failed', nextAttemptAt: null, updatedAt: T0 });
      const open = makeDelivery(a, { updatedAt: T0 });
      const recent = makeDelivery(a, { status: 'delivered', nextAttemptAt: null, updatedAt: T0 + 10 });
      const theirs = makeDelivery(b);
      for (const d of [old, open, recent, theirs]) await store.deliveries.insert(d);
      const { items } = await walk((page) => store.deliveries.list({ orgId: a.orgId as string }, page), 2);
      assert.deepEqual(ids(items), [recent.id, open.id, old.id]);
      assert.deepEqual(
        ids((await store.deliveries.list({ channelId: a.id, status: ['failed'] }, { limit: 9 })).items),
        [old.id],
      );
      assert.equal(await store.deliveries.deleteEndedBefore(T0 + 5, 100), 1);
      assert.deepEqual(ids((await store.deliveries.list({ channelId: a.id }, { limit: 9 })).items), [
        recent.id,
        open.id,
      ]);
    });

    storeTest(
      open,
      "previousOutcome is the task's latest ended run fired before the run, itself excepted",
      async (store) => {
        const org = await store.orgs.create(makeOrg());
        const task = await store.tasks.create(makeTask(org.id));
        const runs = [
          makeRun(task, { fireAt: T0, status: 'error' }),
          makeRun(task, { fireAt: T0 + 1, status: 'finished' }),
          makeRun(task, { fireAt: T0 + 2, status: 'cancelled' }),
          makeRun(task, { fireAt: T0 + 3, status: 'error' }),
        ];
        for (const run of runs) await store.runs.insert(run);
        const [first, second, , fourth] = runs as [(typeof runs)[0], (typeof runs)[0], unknown, (typeof runs)[0]];
        assert.equal(await store.deliveries.previousOutcome(task.id, first), null);
        assert.equal(await store.deliveries.previousOutcome(task.id, second), 'error');
        assert.equal(
          await store.deliveries.previousOutcome(task.id, fourth),
          'finished',
          'a cancelled run is no outcome',
        );
        assert.equal(await store.deliveries.previousOutcome(task.id, { id: newId(), fireAt: T0 + 99 }), 'error');
      },
    );
  });
}
