import { fieldPath, TaskwardenError, ValidationError } from '../core/errors.ts';
import type { TaskDef } from '../core/model.ts';

/**
 * The definitions of a `POST /api/v1/tasks:batch`, each checked by `check` (the single
 * create's checks), in order; the first that fails fails the batch, its error naming the
 * item (`tasks[3].jobs[0].delay`). Two items of one name fail it too: the batch is all
 * or nothing, so it must be decided before anything is written.
 */
export async function validBatch<Item>(
  items: readonly Item[],
  check: (item: Item) => Promise<TaskDef>,
): Promise<TaskDef[]> {
  const defs: TaskDef[] = [];
  const firstOfName = new Map<string, number>();
  for (const [i, item] of items.entries()) {
    const def = await inItem(i, () => check(item));
    const first = firstOfName.get(def.name);
    if (first !== undefined) {
      throw new ValidationError(fieldPath(itemField(i), 'name'), `"${def.name}" is also the name of tasks[${first}]`);
    }
    firstOfName.set(def.name, i);
    defs.push(def);
  }
  return defs;
}

/**
 * Creates the batch's tasks with `create`; an org's name already taken (the store's
 * conflict, details `{name}`) is reported as the item's: 409 naming `tasks[i].name`.
 */
export async function createBatch<T>(defs: readonly TaskDef[], create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    const name = error instanceof TaskwardenError ? (error.details as { name?: unknown } | undefined)?.name : undefined;
    const index = defs.findIndex((def) => def.name === name);
    if (index < 0) throw error;
    throw atItem(index, error as TaskwardenError, 'name');
  }
}

const itemField = (i: number) => fieldPath('tasks', i);

async function inItem<T>(i: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof TaskwardenError)) throw error;
    throw atItem(i, error);
  }
}

/** `error` as the i-th item's: its field (or `field`, or the item itself) under `tasks[i]`. */
function atItem(i: number, error: TaskwardenError, field?: string): TaskwardenError {
  const details = (error.details ?? {}) as Record<string, unknown>;
  const own = typeof details.field === 'string' ? details.field : (field ?? '');
  const bare = own && error.message.startsWith(`${own}: `) ? error.message.slice(own.length + 2) : error.message;
  const at = own ? fieldPath(itemField(i), own) : itemField(i);
  if (error instanceof ValidationError) return new ValidationError(at, bare);
  return new TaskwardenError(error.code, `${at}: ${bare}`, { ...details, field: at });
}
