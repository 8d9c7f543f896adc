// A chunk's result write whose COMMIT landed but whose answer was lost (a connection cut
// after COMMIT): the executor tries it again, and the fence refuses the retry. Meanwhile the
// jobstate, prepared by the write that landed, is claimed for its next chunk on this node.
// Before: the executor kept one entry per jobstate id, so the first chunk's end removed the
// second's; the second's lease was never renewed, lapsed, and the sweep ran it again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TaskwardenError } from '../../src/core/errors.ts';
import type { Jobstate } from '../../src/core/model.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const MINUTE = 60_000;

/**
 * The first transaction of the executor's group commit (told by group-commit.ts in its call
 * stack) commits, then reports the store busy; the test asserts that it happened.
 */
function loseFirstResultAnswer(h: EngineHarness): { lost: () => boolean } {
  const transaction = h.store.transaction.bind(h.store);
  let lost = false;
  h.store.transaction = (async (fn: Parameters<typeof transaction>[0]) => {
    const fromGroupCommit = (new Error().stack ?? '').includes('group-commit');
    if (lost || !fromGroupCommit) return transaction(fn);
    lost = true;
    await transaction(fn);
    throw new TaskwardenError('store_busy', 'database busy: the answer to COMMIT was lost');
  }) as typeof h.store.transaction;
  return { lost: () => lost };
}

test('a chunk result whose answer was lost: the next chunk, claimed meanwhile, keeps its lease and runs once', async () => {
  const warnings: string[] = [];
  const h = await startEngineHarness({ log: { warn: (message) => warnings.push(message), info: () => {} } });
  try {
    const injected = loseFirstResultAnswer(h);
    const task = await h.addTask({
      schedule: { kind: 'manual' },
      jobs: [serverJob('noop', { chunks: 2, sleepMs: 5 * MINUTE }, { retry: { attempts: 1 } })],
    });
    const run = await h.engine.runNow(task.id, 'tester');
    await h.settle();
    // Minute by minute: every lease renewal (leaseMs 30 s) has its turn while the second chunk runs.
    for (let minute = 0; minute < 10; minute++) await h.advance(MINUTE);
    assert.ok(injected.lost(), 'the first chunk result was written and its answer lost');

    const [js] = await h.store.jobstates.allOfRun(run.id);
    const done = js as Jobstate;
    assert.deepEqual([done.status, done.attempt, done.result], ['finished', 1, { chunks: 2, attempt: 1 }]);
    const lines = (await h.store.logs.list(done.id, { limit: 100 })).items.map((l) => l.line);
    assert.deepEqual(lines, ['chunk 1/2', 'chunk 2/2'], 'each chunk ran once, none resumed by the sweep');
    assert.equal(done.finishedAt, Date.parse('2026-12-01T00:10:00Z'));
    assert.equal(h.engine.busy, 0);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0] ?? '', /no longer ours \(.*an earlier try of this write landed/, 'the retry, refused');
  } finally {
    await h.cleanup();
  }
});
