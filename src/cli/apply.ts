import type { TaskwardenClient } from '../client/api.ts';
import { TaskwardenError } from '../core/errors.ts';
import type { TaskDefBody } from '../protocol/task-def.ts';
import { MAX_BATCH_TASKS, type TaskView } from '../protocol/tasks.ts';

export interface ApplyResult {
  name: string;
  action: 'created' | 'updated' | 'unchanged';
  /** Fields the update changed, from the task's history entry. */
  changes: string[];
}

/** How far an apply got: `done` of `total` tasks handled. */
export type ApplyProgress = (done: number, total: number) => void;

/**
 * Bytes of task definitions per batch request: under the server's default body limit
 * (1 MiB) with room for the envelope.
 */
const BATCH_BYTES = 768 * 1024;

/**
 * Creates the tasks that don't exist and updates the others by name: applying twice changes
 * nothing. New tasks go to `POST /api/v1/tasks:batch` in chunks (each all or none), so a
 * file of 100,000 schedules takes about a hundred requests; a single new task keeps the
 * single create. Results are in the file's order.
 */
export async function applyTasks(
  client: TaskwardenClient,
  defs: TaskDefBody[],
  progress: ApplyProgress = () => {},
): Promise<ApplyResult[]> {
  const existing = new Map((await client.listTasks()).map((t) => [t.name, t]));
  const results = new Map<TaskDefBody, ApplyResult>();
  let done = 0;
  const handled = (def: TaskDefBody, result: ApplyResult) => {
    results.set(def, result);
    progress(++done, defs.length);
  };
  const fresh = defs.filter((def) => !existing.has(def.name as string));
  if (fresh.length === 1) {
    await client.createTask(fresh[0] as TaskDefBody);
    handled(fresh[0] as TaskDefBody, created(fresh[0] as TaskDefBody));
  } else {
    for (const chunk of batches(fresh)) {
      await client.createTasks(chunk).catch((error: unknown) => {
        throw inFile(error, (i) => defs.indexOf(chunk[i] as TaskDefBody), done);
      });
      for (const def of chunk) handled(def, created(def));
    }
  }
  for (const def of defs) {
    const current = existing.get(def.name as string);
    if (current) handled(def, await applyOne(client, current, def));
  }
  return defs.map((def) => results.get(def) as ApplyResult);
}

/**
 * A batch's error (naming `tasks[i]` of its chunk) naming the task's place in the file
 * instead, and saying how many were created before it: the file applies again once fixed.
 */
function inFile(error: unknown, fileIndex: (i: number) => number, createdBefore: number): unknown {
  if (!(error instanceof TaskwardenError)) return error;
  const renamed = (text: string) => text.replace(/^tasks\[(\d+)\]/, (_, i) => `tasks[${fileIndex(Number(i))}]`);
  const details = error.details as { field?: unknown } | undefined;
  const field = typeof details?.field === 'string' ? { ...details, field: renamed(details.field) } : error.details;
  const note =
    createdBefore > 0 ? ` (${createdBefore} tasks before it were applied; fix the file and apply it again)` : '';
  return new TaskwardenError(error.code, `${renamed(error.message)}${note}`, field);
}

const created = (def: TaskDefBody): ApplyResult => ({
  name: def.name as string,
  action: 'created',
  changes: [],
});

/** `defs` in chunks the batch route takes: at most MAX_BATCH_TASKS tasks and about BATCH_BYTES of JSON each. */
function* batches(defs: TaskDefBody[]): Generator<TaskDefBody[]> {
  let chunk: TaskDefBody[] = [];
  let bytes = 0;
  for (const def of defs) {
    const size = JSON.stringify(def).length;
    if (chunk.length > 0 && (chunk.length === MAX_BATCH_TASKS || bytes + size > BATCH_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(def);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

async function applyOne(client: TaskwardenClient, current: TaskView, def: TaskDefBody): Promise<ApplyResult> {
  const { name } = def;
  const updated = await client.updateTask(current.id, def);
  if (updated.version === current.version) return { name, action: 'unchanged', changes: [] };
  const [latest] = (await client.taskHistory(current.id)).slice(-1);
  const changes = latest && typeof latest.diff === 'object' && latest.diff !== null ? Object.keys(latest.diff) : [];
  return { name, action: 'updated', changes };
}
