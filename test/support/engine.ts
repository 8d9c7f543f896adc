// An engine on a real SQLite file with the built-in modules and a fake clock, for tests
// that drive schedules, timeouts and misfires by moving the clock instead of sleeping.
import { FakeClock, systemClock } from '../../src/core/clock.ts';
import { newId } from '../../src/core/ids.ts';
import type { Task } from '../../src/core/model.ts';
import type { Store } from '../../src/core/ports/store.ts';
import type { EngineLog, EngineOptions } from '../../src/engine/context.ts';
import { Engine } from '../../src/engine/engine.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry, type ModuleDefinition } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { openTestStore } from './store.ts';

export interface EngineHarness {
  store: Store;
  clock: FakeClock;
  engine: Engine;
  orgId: string;
  /** Validates a task in the Contract's JSON shape and creates it in the harness's org. */
  addTask(def: Record<string, unknown>): Promise<Task>;
  /** Ticks until nothing changes; chunks sleeping on the fake clock are left sleeping. */
  settle(): Promise<void>;
  /** Moves the fake clock (once every running chunk reached its sleep), then settles. */
  advance(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * An engine over `store` with the built-in modules (test ones too), the real clock and UTC,
 * not started: for cluster tests and benches that open their own store.
 */
export function builtinEngine(store: Store, options: Partial<EngineOptions> = {}) {
  const modules = createModuleRegistry(builtinModules({ testModules: true }));
  const engine = new Engine({
    store,
    modules,
    services: createModuleServices(store),
    clock: systemClock,
    options: { defaultTz: 'UTC', ...options },
  });
  return { modules, engine };
}

export async function startEngineHarness(
  opts: { start?: string; options?: Partial<EngineOptions>; log?: EngineLog; modules?: ModuleDefinition[] } = {},
): Promise<EngineHarness> {
  const { store, cleanup } = await openTestStore();
  const clock = new FakeClock(opts.start ?? '2026-12-01T00:00:00Z');
  const modules = createModuleRegistry([...builtinModules({ testModules: true }), ...(opts.modules ?? [])]);
  const engine = new Engine({
    store,
    modules,
    services: createModuleServices(store),
    clock,
    options: { defaultTz: 'UTC', nodeId: 'test-node', ...opts.options },
    ...(opts.log ? { log: opts.log } : {}),
  });
  /** Waits (real time, briefly) until every running chunk has finished or sleeps on the clock. */
  const quiesce = async () => {
    const end = Date.now() + 5_000;
    while (engine.busy > clock.sleeping && Date.now() < end) await new Promise((r) => setTimeout(r, 1));
  };
  /**
   * A chunk woken by the clock may finish while a tick reads: that tick then sees nothing
   * to do, so settling also needs a tick that started with no chunk in flight.
   */
  const chunksActive = () => engine.busy > clock.sleeping;
  const settle = async () => {
    for (let round = 0; round < 1_000; round++) {
      const activeBefore = chunksActive();
      const changed = await engine.tick();
      const activeAfter = chunksActive();
      await quiesce();
      if (changed === 0 && !activeBefore && !activeAfter) return;
    }
    throw new Error('engine did not settle');
  };
  const org = await store.orgs.create({ id: newId(), name: `org-${newId()}`, createdAt: clock.now() });
  return {
    store,
    clock,
    engine,
    orgId: org.id,
    addTask: (def) =>
      engine.createTask(
        org.id,
        readTaskDef({ name: `task-${newId().slice(-8)}`, ...def }, { modules, defaultTz: 'UTC' }),
        'tester',
      ),
    settle,
    async advance(ms) {
      await quiesce();
      clock.advance(ms);
      await settle();
    },
    async cleanup() {
      await engine.stop(1_000);
      await cleanup();
    },
  };
}

/** A one-job server task running `module` with `params`. */
export function serverJob(module: string, params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return { name: `${module}-job`, module, params, targets: { server: true }, ...extra };
}
