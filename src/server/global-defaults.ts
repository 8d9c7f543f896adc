import type { Clock } from '../core/clock.ts';
import { TaskwardenError } from '../core/errors.ts';
import { DEFAULT_HOUSEKEEPING_TASK, GLOBAL_ORG_ID, HOUSEKEEPING_SEED } from '../core/global-tasks.ts';
import type { ModuleRegistry } from '../core/ports/module.ts';
import type { Store } from '../core/ports/store.ts';
import type { Engine } from '../engine/engine.ts';
import { readTaskDef } from '../protocol/task-def-check.ts';

/**
 * A fresh install's global defaults (README "Global tasks"): the nightly `housekeeping`
 * task, created once. What was seeded is recorded, so a default the admin deleted or
 * changed is never created again; a start that crashed between creating the task and
 * recording it, or another node starting at the same time, finds the task by its name.
 */
export async function seedGlobalDefaults(deps: {
  store: Store;
  engine: Engine;
  modules: ModuleRegistry;
  clock: Clock;
  defaultTz: string;
}): Promise<void> {
  const { store, engine, clock } = deps;
  if (await store.orgs.seeded(HOUSEKEEPING_SEED)) return;
  const def = readTaskDef(DEFAULT_HOUSEKEEPING_TASK, { modules: deps.modules, defaultTz: deps.defaultTz });
  if (!(await store.tasks.getByName(GLOBAL_ORG_ID, def.name))) {
    try {
      await engine.createTask(GLOBAL_ORG_ID, def, null);
    } catch (err) {
      // Another node created it first: the name is taken, the default exists.
      if (!(err instanceof TaskwardenError && err.code === 'task_name_taken')) throw err;
    }
  }
  await store.orgs.markSeeded(HOUSEKEEPING_SEED, clock.now());
}
