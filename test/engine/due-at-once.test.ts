// A thousand tasks due at one instant fire in a few transactions of a few store calls each
// (engine/firing-batch.ts), every task once; a firing that has its run already costs its
// batch a second try, not a second run. Counts, never times. Runs on PostgreSQL too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import type { Store, StoreSession } from '../../src/core/ports/store.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const TASKS = 1_000;
const modules = createModuleRegistry(builtinModules({ testModules: true }));

/** Store calls made in each transaction that claimed due triggers (a firing batch). */
function countFiringCalls(store: Store): number[] {
  const batches: number[] = [];
  const transaction = store.transaction.bind(store);
  store.transaction = (fn) =>
    transaction((tx) => {
      const calls = { n: 0, firing: false };
      const counted = Object.fromEntries(
        Object.entries(tx).map(([name, repo]) => [
          name,
          Object.fromEntries(
            Object.entries(repo as Record<string, unknown>).map(([method, call]) => [
              method,
              typeof call !== 'function'
                ? call
                : (...args: unknown[]) => {
                    calls.n++;
                    if (name === 'triggers' && method === 'claimDue') calls.firing = true;
                    return call(...args);
                  },
            ]),
          ),
        ]),
      ) as unknown as StoreSession;
      return fn(counted).finally(() => {
        if (calls.firing) batches.push(calls.n);
      });
    });
  return batches;
}

let h: EngineHarness;
before(async () => {
  h = await startEngineHarness();
});
after(() => h?.cleanup());

async function onceTasks(prefix: string, at: number, count: number) {
  const defs = Array.from({ length: count }, (_, i) =>
    readTaskDef(
      { name: `${prefix}-${i}`, schedule: { kind: 'once', at: new Date(at).toISOString() }, jobs: [serverJob('noop')] },
      { modules, defaultTz: 'UTC' },
    ),
  );
  return h.engine.createTasks(h.orgId, defs, 'tester');
}

async function runsOf(taskIds: readonly string[]) {
  const wanted = new Set(taskIds);
  const runs = [];
  for (let page = await h.store.runs.list({ orgId: h.orgId }, { limit: 1000 }); ; ) {
    runs.push(...page.items.filter((r) => wanted.has(r.taskId)));
    if (!page.next) return runs;
    page = await h.store.runs.list({ orgId: h.orgId }, { limit: 1000, after: page.next });
  }
}

test(`${TASKS} tasks due at one instant fire in a few batches of a few store calls, each task once`, async () => {
  const at = h.clock.now() + 60_000;
  const tasks = await onceTasks('due', at, TASKS);
  const batches = countFiringCalls(h.store);
  await h.advance(60_000);

  // Before: one transaction per 100 tasks, five store calls per task (~500 per batch).
  // Where writers do not exclude each other (PostgreSQL) a batch is 500 (before: 100, ten
  // batches of the same dozen round trips).
  const perBatch = h.store.capabilities.rowLocks ? 500 : 100;
  const busy = batches.filter((calls) => calls > 1);
  assert.ok(busy.length <= TASKS / perBatch, `${busy.length} firing transactions`);
  for (const calls of busy) assert.ok(calls <= 10, `a batch of ${perBatch} firings made ${calls} store calls`);

  const runs = await runsOf(tasks.map((t) => t.id));
  assert.equal(runs.length, TASKS);
  assert.equal(new Set(runs.map((r) => r.taskId)).size, TASKS, 'one run per task');
  for (const run of runs) {
    assert.equal(run.fireAt, at);
    assert.equal(run.status, 'finished');
  }
  for (const task of tasks.slice(0, 5)) assert.equal(await h.store.triggers.get(task.id), null, 'a once task fired');
});

test('a firing whose run exists already: its batch fires again run by run, no firing twice', async () => {
  const at = h.clock.now() + 60_000;
  const tasks = await onceTasks('clash', at, 300);
  // As if another node (or this one, before the clock was set back) made this firing's run.
  const made = tasks[150] as (typeof tasks)[number];
  const earlier = {
    id: newId(),
    orgId: h.orgId,
    taskId: made.id,
    taskVersion: 1,
    reason: 'schedule' as const,
    fireAt: at,
    startAt: at,
    status: 'finished' as const,
    statusReason: null,
    createdAt: h.clock.now(),
    createdBy: null,
    fireKey: String(at),
  };
  assert.equal(await h.store.runs.insert(earlier), true);
  await h.advance(60_000);

  const runs = await runsOf(tasks.map((t) => t.id));
  assert.equal(runs.length, tasks.length);
  assert.equal(new Set(runs.map((r) => r.taskId)).size, tasks.length, 'one run per task');
  assert.deepEqual(
    runs.filter((r) => r.taskId === made.id).map((r) => r.id),
    [earlier.id],
  );
  assert.equal(runs.filter((r) => r.status === 'finished').length, tasks.length);
  assert.equal(await h.store.triggers.get(made.id), null);
});
