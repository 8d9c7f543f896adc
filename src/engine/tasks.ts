import { notFound, TaskwardenError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Task, TaskDef } from '../core/model.ts';
import { planNewTriggers, planTrigger } from './calendars.ts';
import { type EngineContext, type UnitOfWork, withTx } from './context.ts';
import { createRun } from './launch.ts';
import { endRun } from './runs.ts';

/**
 * Task writes. Each one, in a single transaction: the task, its trigger (next firing) and
 * a history entry saying who changed what. An `immediate` task fires once when saved.
 */
export async function createTask(ctx: EngineContext, orgId: string, def: TaskDef, actor: string | null): Promise<Task> {
  const now = ctx.clock.now();
  const task: Task = { ...def, id: newId(), orgId, version: 1, createdAt: now, updatedAt: now };
  await withTx(ctx, async (uow) => {
    await uow.tx.tasks.create(task);
    await afterWrite(ctx, uow, task, { actor, action: 'create', diff: { created: def } });
  });
  ctx.notify({ type: 'task', taskId: task.id, orgId, action: 'create' });
  return task;
}

/**
 * Tasks created together (a bulk load), all or none, in one transaction: multi-row
 * inserts of the tasks and their history entries, their triggers planned together
 * (planNewTriggers). A name the org already uses fails the lot (store `createMany`).
 */
export async function createTasks(
  ctx: EngineContext,
  orgId: string,
  defs: readonly TaskDef[],
  actor: string | null,
): Promise<Task[]> {
  const now = ctx.clock.now();
  const tasks = defs.map((def): Task => ({ ...def, id: newId(), orgId, version: 1, createdAt: now, updatedAt: now }));
  await withTx(ctx, async (uow) => {
    const { tx } = uow;
    await tx.tasks.createMany(tasks);
    await tx.history.addMany(
      tasks.map((task, i) => ({
        id: newId(),
        taskId: task.id,
        orgId,
        actor,
        action: 'create' as const,
        diff: { created: defs[i] },
        at: now,
      })),
    );
    await planNewTriggers(ctx, tx, tasks);
    for (const task of tasks) await fireIfImmediate(ctx, uow, task, { actor, action: 'create' });
  });
  for (const task of tasks) ctx.notify({ type: 'task', taskId: task.id, orgId, action: 'create' });
  return tasks;
}

export async function updateTask(
  ctx: EngineContext,
  id: string,
  change: (current: Task) => TaskDef,
  actor: string | null,
  action: 'update' | 'enable' | 'disable' = 'update',
): Promise<{ task: Task; changed: boolean }> {
  const result = await withTx(ctx, async (uow) => {
    const { tx } = uow;
    const current = await tx.tasks.get(id);
    if (!current) throw notFound('task', id);
    const def = change(current);
    const diff = diffTaskDefs(current, def);
    if (Object.keys(diff).length === 0) return { task: current, changed: false };
    const task: Task = {
      ...withoutOptional(current),
      ...def,
      version: current.version + 1,
      updatedAt: ctx.clock.now(),
    };
    if (!(await tx.tasks.update(task)))
      throw new TaskwardenError('task_changed', `task ${id} was changed meanwhile; retry`);
    await afterWrite(ctx, uow, task, { actor, action, diff });
    return { task, changed: true };
  });
  if (result.changed) ctx.notify({ type: 'task', taskId: id, orgId: result.task.orgId, action: 'update' });
  return result;
}

export async function deleteTask(ctx: EngineContext, id: string, actor: string | null): Promise<void> {
  const task = await withTx(ctx, async (uow) => {
    const { tx, now } = uow;
    const current = await tx.tasks.get(id);
    if (!current) throw notFound('task', id);
    for (const run of await tx.runs.listActive(id))
      await endRun(uow, run, { status: 'cancelled', statusReason: 'task_deleted' });
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
  ctx.notify({ type: 'task', taskId: id, orgId: task.orgId, action: 'delete' });
}

/** A task write, as its history entry records it. */
interface TaskChange {
  actor: string | null;
  action: 'create' | 'update' | 'enable' | 'disable';
  diff: unknown;
}

async function afterWrite(ctx: EngineContext, uow: UnitOfWork, task: Task, change: TaskChange): Promise<void> {
  const { tx, now } = uow;
  const { actor, action, diff } = change;
  await tx.history.add({ id: newId(), taskId: task.id, orgId: task.orgId, actor, action, diff, at: now });
  await planTrigger(ctx, tx, task);
  await fireIfImmediate(ctx, uow, task, change);
}

/** An `immediate` task fires once when created or enabled. */
async function fireIfImmediate(
  ctx: EngineContext,
  uow: UnitOfWork,
  task: Task,
  { actor, action }: Omit<TaskChange, 'diff'>,
): Promise<void> {
  if (!task.enabled || task.schedule.kind !== 'immediate' || (action !== 'create' && action !== 'enable')) return;
  await createRun(ctx, uow, task, {
    reason: 'immediate',
    fireAt: uow.now,
    startAt: uow.now,
    fireKey: `immediate@${task.version}`,
    createdBy: actor,
  });
}

/** Fields a definition may leave out: absent in a new one, they must not survive from the stored task. */
const OPTIONAL_FIELDS = ['notify', 'rollout'] as const satisfies readonly (keyof TaskDef)[];

function withoutOptional(task: Task): Omit<Task, (typeof OPTIONAL_FIELDS)[number]> {
  const { notify: _notify, rollout: _rollout, ...rest } = task;
  return rest;
}

/** Field-by-field changes between a stored task and a new definition: {field: {from, to}}. */
export function diffTaskDefs(current: TaskDef, next: TaskDef): Record<string, { from: unknown; to: unknown }> {
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  // A field the new definition leaves out (notify, rollout) is a change when the stored one had it.
  for (const key of new Set([...Object.keys(next), ...OPTIONAL_FIELDS]) as Set<keyof TaskDef>) {
    if (JSON.stringify(current[key]) !== JSON.stringify(next[key])) diff[key] = { from: current[key], to: next[key] };
  }
  return diff;
}
