// Many tasks written straight into a store in one transaction: what the engine's createTask
// stores (the task and its trigger), without a transaction and a wake per task.
// Scale and fault tests use it to set up thousands of schedules in seconds.
import { newId } from '../../src/core/ids.ts';
import type { Task } from '../../src/core/model.ts';
import type { ModuleRegistry } from '../../src/core/ports/module.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { nextFireOf } from '../../src/engine/triggers.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';

export interface BulkTasks {
  store: Store;
  modules: ModuleRegistry;
  orgId: string;
  /** A task definition as the API takes it; each task gets its own name. */
  def: Record<string, unknown>;
  count: number;
  /** The time the tasks are written at: each trigger is its task's first firing after it. */
  now: number;
  /** Default UTC. */
  defaultTz?: string;
}

/**
 * Writes `count` tasks of `def` with their triggers in one transaction, so they appear all at
 * once (1,000 due at one instant are due together even when the write ends after it);
 * returns their ids in order.
 */
export async function writeTasks(bulk: BulkTasks): Promise<string[]> {
  const defaultTz = bulk.defaultTz ?? 'UTC';
  const { store, modules, orgId, now } = bulk;
  const tasks = Array.from({ length: bulk.count }, (_, i): Task => {
    const def = readTaskDef({ ...bulk.def, name: `bulk-${i}-${newId()}` }, { modules, defaultTz });
    return { ...def, id: newId(), orgId, version: 1, createdAt: now, updatedAt: now };
  });
  await store.transaction(async (tx) => {
    for (const task of tasks) {
      await tx.tasks.create(task);
      const next = nextFireOf(task, now, defaultTz);
      if (next !== null) await tx.triggers.set({ taskId: task.id, orgId, nextFireAt: next, taskVersion: task.version });
    }
  });
  return tasks.map((task) => task.id);
}
