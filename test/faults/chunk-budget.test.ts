// Fault: a server module that ignores its deadline. The engine runs modules on its event
// loop (not in worker threads), so it cannot preempt one; it must notice and say so: a
// chunk past its budget (chunkMs + OVERRUN_GRACE_MS) gets a warning and reason
// `over_budget` on its jobstate, visible while it runs, and it can be cancelled. A chunk
// that blocks synchronously stalls the whole node for as long as it blocks — the measured
// limit of this design — and is reported once it returns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../src/core/clock.ts';
import { newId } from '../../src/core/ids.ts';
import type { Jobstate } from '../../src/core/model.ts';
import { OVERRUN_GRACE_MS } from '../../src/engine/chunk-budget.ts';
import { Engine } from '../../src/engine/engine.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry, defineModule } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { openTestStore } from '../support/store.ts';

const CHUNK_MS = 100;
/** How long the hostile chunk takes: well past its budget. */
const OVERRUN_MS = CHUNK_MS + OVERRUN_GRACE_MS + 500;

type SpinParams = { mode: 'block' | 'await' };

/** First chunk overruns (a busy loop, or a wait that ignores the deadline), the second is done at once. */
const spin = defineModule<SpinParams>({
  name: 'spin',
  title: 'Spin',
  runsOn: 'server',
  paramsSchema: {
    type: 'object',
    properties: { mode: { enum: ['block', 'await'] } },
    required: ['mode'],
    additionalProperties: false,
  },
  async execute(ctx) {
    if (ctx.checkpoint !== undefined) return { done: true, ok: true };
    if (ctx.params.mode === 'await') await systemClock.sleep(OVERRUN_MS, ctx.signal);
    else for (const end = performance.now() + OVERRUN_MS; performance.now() < end; );
    return { done: false, checkpoint: { spun: true } };
  },
});

async function harness() {
  const { store, cleanup } = await openTestStore();
  const modules = createModuleRegistry([...builtinModules({ testModules: true }), spin]);
  const warnings: string[] = [];
  const engine = new Engine({
    store,
    modules,
    services: createModuleServices(store),
    clock: systemClock,
    options: { defaultTz: 'UTC', chunkMs: CHUNK_MS, maxSleepMs: 100 },
    log: { warn: (message) => warnings.push(message), info: () => {} },
  });
  const seen: Jobstate[] = [];
  engine.on((event) => {
    if (event.type === 'jobstate') seen.push(event.jobstate);
  });
  const org = await store.orgs.create({ id: newId(), name: 'budget', createdAt: Date.now() });
  const def = (mode: SpinParams['mode']) =>
    readTaskDef(
      { name: `spin-${mode}`, jobs: [{ name: 'spin', module: 'spin', params: { mode }, targets: { server: true } }] },
      { modules, defaultTz: 'UTC' },
    );
  const runOf = async (mode: SpinParams['mode']) =>
    engine.runNow((await engine.createTask(org.id, def(mode), 'tester')).id, 'tester');
  return { store, engine, warnings, seen, runOf, cleanup };
}

async function until<T>(what: string, probe: () => Promise<T | false | null | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('a chunk that waits past its deadline is reported while it runs, and can be cancelled', async () => {
  const h = await harness();
  try {
    await h.engine.start();
    const run = await h.runOf('await');
    const overrun = await until('reason over_budget while it runs', async () => {
      const [js] = await h.store.jobstates.allOfRun(run.id);
      return js?.status === 'running' && js.reason === 'over_budget' && js;
    });
    assert.equal(overrun.reason, 'over_budget');
    assert.equal(h.warnings.length, 1, h.warnings.join('\n'));
    assert.match(h.warnings[0] as string, /a chunk has run more than \d+ ms and still runs, over its budget of 100 ms/);
    assert.ok(
      h.seen.some((js) => js.status === 'running' && js.reason === 'over_budget'),
      'announced to watchers',
    );

    const cancelledAt = performance.now();
    assert.equal((await h.engine.cancelRun(run.id)).status, 'cancelled');
    await until('the chunk to stop', async () => h.engine.busy === 0, 2_000);
    assert.ok(performance.now() - cancelledAt < 2_000, 'cancel stops it at once');
    const [js] = await h.store.jobstates.allOfRun(run.id);
    assert.deepEqual([js?.status, js?.reason], ['cancelled', 'cancelled_by_user']);
  } finally {
    await h.engine.stop(0);
    await h.cleanup();
  }
});

test('a chunk that blocks synchronously stalls the node as long as it blocks, and is reported when it returns', async () => {
  const h = await harness();
  let longestStall = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    longestStall = Math.max(longestStall, now - last);
    last = now;
  }, 10);
  try {
    await h.engine.start();
    const run = await h.runOf('block');
    const ended = await h.engine.waitForRun(run.id, 10_000);
    assert.equal(ended.status, 'finished');
    // The limit of running modules on the event loop, measured: nothing else ran meanwhile.
    assert.ok(longestStall >= OVERRUN_MS - 50, `the event loop stalled ${Math.round(longestStall)} ms`);
    assert.equal(h.warnings.length, 1, h.warnings.join('\n'));
    assert.match(h.warnings[0] as string, /a chunk took \d+ ms, over its budget of 100 ms/);
    const between = h.seen.find((js) => js.status === 'prepared' && js.checkpoint !== null);
    assert.equal(between?.reason, 'over_budget', 'the jobstate says why, between its chunks');
  } finally {
    clearInterval(probe);
    await h.engine.stop(0);
    await h.cleanup();
  }
});
