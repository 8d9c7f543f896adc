import type { TaskwardenClient } from '../client/api.ts';
import type { TaskDefBody } from '../protocol/task-def.ts';
import type { TaskView } from '../protocol/tasks.ts';

export interface ApplyResult {
  name: string;
  action: 'created' | 'updated' | 'unchanged';
  /** Fields the update changed, from the task's history entry. */
  changes: string[];
}

/** Creates the tasks that don't exist and updates the others by name: applying twice changes nothing. */
export async function applyTasks(client: TaskwardenClient, defs: TaskDefBody[]): Promise<ApplyResult[]> {
  const existing = new Map((await client.listTasks()).map((t) => [t.name, t]));
  const results: ApplyResult[] = [];
  for (const def of defs) results.push(await applyOne(client, existing.get(def.name), def));
  return results;
}

async function applyOne(
  client: TaskwardenClient,
  current: TaskView | undefined,
  def: TaskDefBody,
): Promise<ApplyResult> {
  const { name } = def;
  if (!current) {
    await client.createTask(def);
    return { name, action: 'created', changes: [] };
  }
  const updated = await client.updateTask(current.id, def);
  if (updated.version === current.version) return { name, action: 'unchanged', changes: [] };
  const [latest] = (await client.taskHistory(current.id)).slice(-1);
  const changes = latest && typeof latest.diff === 'object' && latest.diff !== null ? Object.keys(latest.diff) : [];
  return { name, action: 'updated', changes };
}
