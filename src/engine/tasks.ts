import { notFound, TaskwardenError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Task, TaskDef } from '../core/model.ts';
import type { StoreSession } from '../core/ports/store.ts';
import { planTrigger } from './calendars.ts';
import { type Emit, type EngineContext, withTx } from './context.ts';
import { createRun } from './launch.ts';
import { endRun } from './runs.ts';

/**
 * Task writes. Each one, in a single transaction: the task, its trigger (next firing) and
 * a history entry saying who changed what. An `immediate` task fires once when saved.
 */
export async function createTask(ctx: EngineContext, orgId: string, def: TaskDef, actor: string | null): Promise<Task> {
  const now = ctx.clock.now();
  const task: Task = { ...def, id: newId(), orgId, version: 1, createdAt: now, updatedAt: now };
  await withTx(ctx, async (tx, emit) => {
    await tx.tasks.create(task);
    await afterWrite(ctx, tx, emit, task, actor, 'create', { created: def });
  });
  ctx.notify({ type: 'task', taskId: task.id, orgId, action: 'create' });
  return task;
}

export async function updateTask(
  ctx: EngineContext,
  id: string,
  change: (current: Task) => TaskDef,
  actor: string | null,
  action: 'update' | 'enable' | 'disable' = 'update',
): Promise<{ task: Task; changed: boolean }> {
  const result = await withTx(ctx, async (tx, emit) => {
    const current = await tx.tasks.get(id);
    if (!current) throw notFound('task', id);
    const def = change(current);
    const diff = diffTaskDefs(current, def);
    if (Object.keys(diff).length === 0) return { task: current, changed: false };
    // Fields a definition may leave out (notify) must not survive from the stored task.
    const { notify: _, ...stored } = current;
    const task: Task = { ...stored, ...def, version: current.version + 1, updatedAt: ctx.clock.now() };
    if (!(await tx.tasks.update(task)))
      throw new TaskwardenError('task_changed', `task ${id} was changed meanwhile; retry`);
    await afterWrite(ctx, tx, emit, task, actor, action, diff);
    return { task, changed: true };
  });
  if (result.changed) ctx.notify({ type: 'task', taskId: id, orgId: result.task.orgId, action: 'update' });
  return result;
}

export async function deleteTask(ctx: EngineContext, id: string, actor: string | null): Promise<void> {
  const ended: string[] = [];
  const task = await withTx(ctx, async (tx, emit) => {
    const current = await tx.tasks.get(id);
    if (!current) throw notFound('task', id);
    const now = ctx.clock.now();
    for (const run of await tx.runs.listActive(id))
      await endRun(ended, tx, emit, run, 'cancelled', 'task_deleted', now);
    await tx.history.add({
      id: newId(),
      taskId: id,
      orgId: current.orgId,
      actor,
      action: 'delete',
      diff: { deleted: current.name },
      at: now,
    });
    await tx.tasks.delete(id);
    return current;
  });
  ctx.abortLocal(ended);
  ctx.notify({ type: 'task', taskId: id, orgId: task.orgId, action: 'delete' });
}

async function afterWrite(
  ctx: EngineContext,
  tx: StoreSession,
  emit: Emit,
  task: Task,
  actor: string | null,
  action: 'create' | 'update' | 'enable' | 'disable',
  diff: unknown,
): Promise<void> {
  const now = ctx.clock.now();
  await tx.history.add({ id: newId(), taskId: task.id, orgId: task.orgId, actor, action, diff, at: now });
  await planTrigger(ctx, tx, task);
  if (task.enabled && task.schedule.kind === 'immediate' && (action === 'create' || action === 'enable')) {
    await createRun(ctx, tx, emit, task, {
      reason: 'immediate',
      fireAt: now,
      startAt: now,
      fireKey: `immediate@${task.version}`,
      createdBy: actor,
    });
  }
}

const OPTIONAL_FIELDS: readonly (keyof TaskDef)[] = ['notify'];

/** Field-by-field changes between a stored task and a new definition: {field: {from, to}}. */
export function diffTaskDefs(current: TaskDef, next: TaskDef): Record<string, { from: unknown; to: unknown }> {
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  // A field the new definition leaves out (notify) is a change when the stored one had it.
  for (const key of new Set([...Object.keys(next), ...OPTIONAL_FIELDS]) as Set<keyof TaskDef>) {
    if (JSON.stringify(current[key]) !== JSON.stringify(next[key])) diff[key] = { from: current[key], to: next[key] };
  }
  return diff;
}
