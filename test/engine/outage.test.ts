// The store goes away while the engine loop runs and a chunk is in flight, then comes back:
// the loop says so once, backs off instead of spinning, and the chunk's result lands late
// rather than being lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import { newId } from '../../src/core/ids.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { Engine } from '../../src/engine/engine.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { openTestStore } from '../support/store.ts';

/** The store, or a database that refuses every call while `down`. */
function switchable(store: Store) {
  const state = { down: false, refused: 0 };
  const refuse = () => {
    state.refused++;
    return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
  };
  const guard = (target: object): object =>
    new Proxy(target, {
      get(t, key) {
        const value = Reflect.get(t, key);
        if (key === 'capabilities' || key === 'signals') return value;
        if (typeof value === 'function') {
          return (...args: unknown[]) => (state.down ? refuse() : value.apply(t, args));
        }
        return value !== null && typeof value === 'object' ? guard(value) : value;
      },
    });
  return { store: guard(store) as Store, state };
}

/** Waits (real time) for `condition`: the engine's store calls are real I/O. */
async function eventually(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

test('a store outage: reported once, retried with backoff, and the chunk in flight still lands', async () => {
  const { store: real, cleanup } = await openTestStore();
  const { store, state } = switchable(real);
  const clock = new FakeClock();
  const modules = createModuleRegistry(builtinModules({ testModules: true }));
  const said: { level: 'warn' | 'info'; message: string }[] = [];
  const engine = new Engine({
    store,
    modules,
    services: createModuleServices(real),
    clock,
    options: { defaultTz: 'UTC', maxSleepMs: 5_000 },
    log: {
      warn: (message) => said.push({ level: 'warn', message }),
      info: (message) => said.push({ level: 'info', message }),
    },
  });
  try {
    const org = await real.orgs.create({ id: newId(), name: 'outage', createdAt: clock.now() });
    const def = readTaskDef(
      {
        name: 'slow',
        schedule: { kind: 'manual' },
        jobs: [{ name: 'work', module: 'noop', params: { sleepMs: 1_000 }, targets: { server: true } }],
      },
      { modules, defaultTz: 'UTC' },
    );
    const task = await engine.createTask(org.id, def, null);
    await engine.start();
    const run = await engine.runNow(task.id, null);
    // The chunk sleeps on the clock, and so does the loop.
    await eventually('the chunk and the loop to sleep', () => engine.busy === 1 && clock.sleeping === 2);

    state.down = true;
    clock.advance(1_000); // the chunk ends; writing its outcome is refused, and retried
    await eventually('the outcome write to be refused', () => state.refused === 1);
    const refusedByChunk = () => state.refused;
    for (const wait of [100, 200, 400]) {
      const before = refusedByChunk();
      clock.advance(wait - 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(refusedByChunk(), before, `no retry before ${wait} ms`);
      clock.advance(1);
      await eventually(`a retry after ${wait} ms`, () => refusedByChunk() > before);
    }
    assert.equal(said.length, 0, 'a chunk retrying its write is not an outage report');

    clock.advance(5_000); // the loop's next pass fails: that is reported, once
    await eventually('the loop to fail', () => said.length === 1);
    // Failed passes retry with backoff; the chunk keeps retrying its write (within its lease time).
    for (let i = 0; i < 6; i++) {
      clock.advance(2_000);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(said.length, 1, JSON.stringify(said));
    assert.equal(said[0]?.level, 'warn');
    assert.match(said[0]?.message ?? '', /engine pass failed: connect ECONNREFUSED.*retrying/);

    state.down = false;
    clock.advance(5_000);
    await eventually('the run to finish', async () => (await real.runs.get(run.id))?.status === 'finished');
    const [js] = await real.jobstates.allOfRun(run.id);
    assert.deepEqual([js?.status, js?.attempt], ['finished', 1], 'the outcome landed once the store was back');
    assert.deepEqual(
      (await real.logs.list(js!.id, { limit: 10 })).items.map((line) => line.line),
      ['chunk 1/1'],
    );
    await eventually('the recovery to be reported', () => said.length === 2);
    assert.equal(said[1]?.level, 'info');
    assert.match(said[1]?.message ?? '', /passes succeed again after \d+ failed/);
  } finally {
    state.down = false;
    await engine.stop(0);
    await cleanup();
  }
});

test('the loop backs off while failing: its waits double up to maxSleepMs', async () => {
  const { store: real, cleanup } = await openTestStore();
  const { store, state } = switchable(real);
  const clock = new FakeClock();
  const engine = new Engine({
    store,
    modules: createModuleRegistry(builtinModules({ testModules: true })),
    services: createModuleServices(real),
    clock,
    // The idle loop's sleep is capped at 1 s on every store (safetyPassMs: where this node is the only writer).
    options: { defaultTz: 'UTC', maxSleepMs: 1_000, safetyPassMs: 1_000 },
    log: { warn: () => {}, info: () => {} },
  });
  try {
    await engine.start();
    await eventually('the loop to sleep', () => clock.sleeping === 1);
    state.down = true;
    clock.advance(1_000);
    await eventually('the first failed pass', () => state.refused > 0);
    for (const wait of [100, 200, 400, 800, 1_000, 1_000]) {
      await eventually('the loop to sleep', () => clock.sleeping === 1);
      const before = state.refused;
      clock.advance(wait - 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(state.refused, before, `no pass before ${wait} ms`);
      clock.advance(1);
      await eventually(`a pass after ${wait} ms`, () => state.refused > before);
    }
  } finally {
    state.down = false;
    await engine.stop(0);
    await cleanup();
  }
});
