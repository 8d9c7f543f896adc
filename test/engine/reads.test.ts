// What one engine transaction reads more than once is read once (engine/reads.ts): a
// trivial server job costs its task one read at its start and one at its end, however many
// steps of the ending transaction look at it (the retry policy, the run's notifications).
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

/** The store, counting the task reads made through it and its transactions' sessions. */
function countingTaskReads(store: Store): { store: Store; reads: { tasks: number } } {
  const reads = { tasks: 0 };
  const counted = <S extends Pick<Store, 'tasks'>>(session: S): S => ({
    ...session,
    tasks: {
      ...session.tasks,
      get: (id: string) => {
        reads.tasks++;
        return session.tasks.get(id);
      },
    },
  });
  const wrapped = Object.create(store) as Store;
  Object.assign(wrapped, counted(store), {
    transaction: <T>(fn: Parameters<Store['transaction']>[0]) =>
      store.transaction((tx) => fn(counted(tx)) as Promise<T>),
  });
  return { store: wrapped, reads };
}

test('a trivial server job reads its task once to start and once to end', async () => {
  const { store: real, cleanup } = await openTestStore();
  const { store, reads } = countingTaskReads(real);
  const clock = new FakeClock('2026-12-01T00:00:00Z');
  const modules = createModuleRegistry(builtinModules({ testModules: true }));
  const engine = new Engine({
    store,
    modules,
    services: createModuleServices(real),
    clock,
    options: { defaultTz: 'UTC', nodeId: 'test-node' },
  });
  try {
    const org = await real.orgs.create({ id: newId(), name: 'reads', createdAt: clock.now() });
    const def = {
      name: 'noop',
      schedule: { kind: 'manual' },
      concurrency: 'allow',
      jobs: [{ name: 'j', module: 'noop', targets: { server: true } }],
    };
    const task = await engine.createTask(org.id, readTaskDef(def, { modules, defaultTz: 'UTC' }), null);
    const runs = 10;
    reads.tasks = 0;
    for (let i = 0; i < runs; i++) await engine.runNow(task.id, null);
    const end = Date.now() + 20_000;
    while ((await real.runs.countByStatus()).finished < runs) {
      assert.ok(
        Date.now() < end,
        `the runs did not finish in time: ${JSON.stringify(await real.jobstates.countByStatus())}`,
      );
      await engine.tick();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Before the shared reads: three per job (its start, its retry policy, its run's notifications).
    assert.ok(reads.tasks <= 2 * runs, `${reads.tasks} task reads for ${runs} jobs`);
  } finally {
    await engine.stop(1_000);
    await cleanup();
  }
});
