import type { Calendar } from '../core/calendar.ts';
import type { Task } from '../core/model.ts';
import type { StoreSession, Trigger } from '../core/ports/store.ts';
import { type EngineContext, withTx } from './context.ts';
import { targetZones } from './local-time.ts';
import { withCalendarRules } from './reads.ts';
import { nextFireOf } from './triggers.ts';

/** The task's next firing from now, its calendars applied; null when it never fires again. */
async function nextFireFromNow(ctx: EngineContext, tx: StoreSession, task: Task): Promise<number | null> {
  const zones = await targetZones(ctx, tx, task);
  return nextFireOf(await withCalendarRules(tx, task), ctx.clock.now(), ctx.options.defaultTz, zones);
}

/** Sets a task's trigger to its next firing from now (null: cleared), its calendars applied. */
export async function planTrigger(ctx: EngineContext, tx: StoreSession, task: Task): Promise<void> {
  const next = await nextFireFromNow(ctx, tx, task);
  if (next === null) await tx.triggers.clear(task.id);
  else await tx.triggers.set({ taskId: task.id, orgId: task.orgId, nextFireAt: next, taskVersion: task.version });
}

/**
 * planTrigger for tasks that have none yet (a bulk load): the triggers of those that fire
 * are written together, a few multi-row statements for thousands of tasks.
 */
export async function planNewTriggers(ctx: EngineContext, tx: StoreSession, tasks: readonly Task[]): Promise<void> {
  const triggers: Trigger[] = [];
  for (const task of tasks) {
    const next = await nextFireFromNow(ctx, tx, task);
    if (next !== null)
      triggers.push({ taskId: task.id, orgId: task.orgId, nextFireAt: next, taskVersion: task.version });
  }
  await tx.triggers.setMany(triggers);
}

/**
 * A calendar changed (or is about to be deleted): every task using it plans its next firing
 * again, in one transaction, as a task write does. Tasks of an org with a calendar of its
 * own by that name do not use a global one, and are left alone. Returns the tasks re-planned.
 */
export async function replanCalendarUsers(ctx: EngineContext, calendar: Calendar): Promise<number> {
  const replanned = await withTx(ctx, async ({ tx, emit }) => {
    let count = 0;
    for (const user of await tx.calendars.usersOf(calendar.orgId, calendar.name)) {
      const [resolved] = await tx.calendars.resolve(user.orgId, [calendar.name]);
      if (resolved && resolved.id !== calendar.id) continue;
      const task = await tx.tasks.get(user.id);
      if (!task) continue;
      await planTrigger(ctx, tx, task);
      emit({ type: 'task', taskId: task.id, orgId: task.orgId, action: 'update' });
      count++;
    }
    return count;
  });
  ctx.wake();
  return replanned;
}
