// Run ends into the notification queue, in the engine, on a fake clock: missed firings and
// timeouts are told as such, cancelled runs are not, a deleted channel is skipped, and the
// queue holds each (channel, run) once.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import type { Channel } from '../../src/core/ports/notifications.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

describe('notification queue', () => {
  let h: EngineHarness;
  const warnings: string[] = [];

  beforeEach(async () => {
    warnings.length = 0;
    h = await startEngineHarness({ log: { warn: (m) => warnings.push(m), info: () => {} } });
  });
  afterEach(() => h.cleanup());

  async function channel(name = 'ops'): Promise<Channel> {
    const now = h.clock.now();
    return h.store.channels.create({
      id: newId(),
      orgId: h.orgId,
      name,
      kind: 'webhook',
      url: 'http://127.0.0.1:9/',
      to: [],
      secret: null,
      createdAt: now,
      updatedAt: now,
    });
  }
  const queued = async () =>
    (await h.store.deliveries.takeQueued(h.clock.now(), 0, { channels: 100, perChannel: 100 })).flatMap((t) =>
      t.events.map((e) => ({ channel: t.channel.name, event: e.event.event, runId: e.runId })),
    );

  test('firings missed during an outage are told as run.missed', async () => {
    await channel();
    const task = await h.addTask({
      schedule: { kind: 'interval', every: '1m', start: '2026-12-01T00:00:00Z' },
      misfire: 'skip',
      jobs: [serverJob('noop')],
      notify: [{ on: ['missed'], channels: ['ops'] }],
    });
    await h.settle();
    await h.advance(10 * 60_000); // the engine slept through ten firings
    const missed = (await h.store.runs.list({ taskId: task.id, status: ['missed'] }, { limit: 10 })).items;
    assert.equal(missed.length, 1);
    const events = await queued();
    assert.deepEqual(events, [{ channel: 'ops', event: 'run.missed', runId: missed[0]?.id }]);
  });

  test('a job that ran out of time is told as run.timeout; `error` rules cover it too', async () => {
    await channel('timeouts');
    await channel('errors');
    const task = await h.addTask({
      jobs: [serverJob('noop', { sleepMs: 60_000 }, { timeout: '5s' })],
      notify: [
        { on: ['timeout'], channels: ['timeouts'] },
        { on: ['error'], channels: ['errors'] },
      ],
    });
    const run = await h.engine.runNow(task.id, null);
    await h.settle();
    await h.advance(6_000);
    assert.equal((await h.store.runs.get(run.id))?.status, 'error');
    const events = await queued();
    assert.deepEqual(events.map((e) => [e.channel, e.event, e.runId]).sort(), [
      ['errors', 'run.timeout', run.id],
      ['timeouts', 'run.timeout', run.id],
    ]);
  });

  test('a cancelled run is not told; a channel deleted since the task was saved is skipped and reported', async () => {
    const gone = await channel('gone');
    await channel('kept');
    const task = await h.addTask({
      jobs: [serverJob('noop', { sleepMs: 60_000 })],
      notify: [{ on: ['error', 'finished'], channels: ['gone', 'kept'] }],
    });
    const cancelled = await h.engine.runNow(task.id, null);
    await h.settle();
    await h.engine.cancelRun(cancelled.id);
    await h.settle();
    assert.deepEqual(await queued(), []);
    await h.store.channels.delete(gone.id);
    const quick = await h.addTask({
      jobs: [serverJob('noop')],
      notify: [{ on: ['error', 'finished'], channels: ['gone', 'kept'] }],
    });
    const finished = await h.engine.runNow(quick.id, null);
    await h.settle();
    assert.deepEqual(await queued(), [{ channel: 'kept', event: 'run.finished', runId: finished.id }]);
    assert.ok(
      warnings.some((w) => w.includes('no channel named "gone"')),
      warnings.join('\n'),
    );
  });
});
