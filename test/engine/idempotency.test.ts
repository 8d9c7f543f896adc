// Run starts with an idempotency key: once per key for 24 h, on every store (on PostgreSQL
// two concurrent starts really race: the key's primary key decides), then pruned.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { TaskwardenError } from '../../src/core/errors.ts';
import { IDEMPOTENCY_WINDOW_MS } from '../../src/engine/idempotency.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

let h: EngineHarness;
afterEach(() => h?.cleanup());

const manual = { schedule: { kind: 'manual' }, concurrency: 'allow', jobs: [serverJob('noop')] };
const keyFor = (taskId: string, key = 'k-1') => ({
  scope: 'user-1',
  key,
  request: `POST /api/v1/tasks/${taskId}/runs`,
});

test('concurrent starts with one key make one run; every caller gets it', async () => {
  h = await startEngineHarness();
  const task = await h.addTask(manual);
  const starts = await Promise.all(
    Array.from({ length: 5 }, () => h.engine.startNow(task.id, 'tester', keyFor(task.id))),
  );
  assert.equal(new Set(starts.map((s) => s.run.id)).size, 1);
  assert.equal(starts.filter((s) => !s.replayed).length, 1);
  assert.equal((await h.store.runs.list({ orgId: h.orgId, taskId: task.id }, { limit: 10 })).items.length, 1);
});

test('a start whose key another transaction claims meanwhile rolls back and answers that run', async () => {
  h = await startEngineHarness();
  const task = await h.addTask(manual);
  const theirs = await h.engine.runNow(task.id, 'other node');
  // Another node's start: its key written, its transaction not committed yet.
  let commit = () => {};
  let claimed = () => {};
  const keyWritten = new Promise<void>((resolve) => {
    claimed = resolve;
  });
  const other = h.store.transaction(async (tx) => {
    await tx.idempotency.claim({ ...keyFor(task.id), runId: theirs.id, createdAt: h.clock.now() }, 0);
    claimed();
    await new Promise<void>((resolve) => {
      commit = resolve;
    });
  });
  await keyWritten;
  const ours = h.engine.startNow(task.id, 'tester', keyFor(task.id));
  await new Promise((resolve) => setTimeout(resolve, 100));
  commit();
  await other;
  const started = await ours;
  assert.deepEqual([started.run.id, started.replayed], [theirs.id, true]);
  assert.equal((await h.store.runs.list({ orgId: h.orgId, taskId: task.id }, { limit: 10 })).items.length, 1);
});

test('a key names its first run for 24 h, another request never; then it is forgotten', async () => {
  h = await startEngineHarness();
  const task = await h.addTask(manual);
  const other = await h.addTask(manual);
  const first = await h.engine.startNow(task.id, 'tester', keyFor(task.id));
  await h.settle();
  await assert.rejects(
    h.engine.startNow(other.id, 'tester', { ...keyFor(task.id), request: `POST /api/v1/tasks/${other.id}/runs` }),
    (err: unknown) => err instanceof TaskwardenError && err.code === 'idempotency_key_reused',
  );
  assert.equal((await h.store.runs.list({ orgId: h.orgId, taskId: other.id }, { limit: 10 })).items.length, 0);

  await h.advance(IDEMPOTENCY_WINDOW_MS - 1_000);
  const replay = await h.engine.startNow(task.id, 'tester', keyFor(task.id));
  assert.deepEqual([replay.run.id, replay.replayed], [first.run.id, true]);
  assert.equal(replay.run.status, 'finished', 'the run as it is now');

  await h.advance(2_000);
  const fresh = await h.engine.startNow(task.id, 'tester', keyFor(task.id));
  assert.equal(fresh.replayed, false, 'an expired key starts a new run');
  assert.notEqual(fresh.run.id, first.run.id);

  await h.advance(IDEMPOTENCY_WINDOW_MS + 3_600_000);
  assert.equal(await h.store.idempotency.get('user-1', 'k-1', 0), null, 'pruned within the hour after it expired');
});

test('a relaunch with a key is made once', async () => {
  h = await startEngineHarness();
  const task = await h.addTask({ ...manual, jobs: [serverJob('noop', { failTimes: 1 })] });
  const failed = await h.engine.runNow(task.id, 'tester');
  await h.settle();
  const once = { scope: 'user-1', key: 'again', request: `POST /api/v1/runs/${failed.id}/relaunch` };
  const [a, b] = await Promise.all([
    h.engine.relaunchFailed(failed.id, 'tester', once),
    h.engine.relaunchFailed(failed.id, 'tester', once),
  ]);
  assert.equal(a.run.id, b.run.id);
  assert.deepEqual([a.replayed, b.replayed].sort(), [false, true]);
});
