import { type EngineContext, withTx } from './context.ts';
import { createRun, launchRun } from './launch.ts';
import { planFirings } from './triggers.ts';

const BATCH = 100;

/**
 * Claims the due triggers and turns their firings into runs, in one transaction per
 * batch: a run is unique on (task, fire time), so a firing is never created twice, even
 * by two nodes. A run due now starts in the same transaction (launchRun); a catch-up
 * spread into the future waits `pending` for startDueRuns. Returns how many triggers it handled.
 */
export async function fireDueTriggers(ctx: EngineContext): Promise<number> {
  const now = ctx.clock.now();
  const { options } = ctx;
  const ended: string[] = [];
  const handled = await withTx(ctx, async (tx, emit) => {
    const due = await tx.triggers.claimDue(now, BATCH);
    for (const trigger of due) {
      const task = await tx.tasks.get(trigger.taskId);
      if (!task?.enabled) {
        await tx.triggers.clear(trigger.taskId);
        continue;
      }
      const plan = planFirings(task, trigger.nextFireAt, now, {
        defaultTz: options.defaultTz,
        thresholdMs: options.misfireThresholdMs,
        cap: options.catchUpCap,
        spreadMs: options.catchUpSpreadMs,
      });
      for (const fireAt of plan.missed) {
        await createRun(ctx, tx, emit, task, {
          reason: 'schedule',
          fireAt,
          startAt: fireAt,
          fireKey: String(fireAt),
          status: 'missed',
        });
      }
      for (const { fireAt, startAt } of plan.catchUp) {
        await launchRun(ctx, tx, emit, ended, task, { reason: 'catch-up', fireAt, startAt, fireKey: String(fireAt) });
      }
      for (const fireAt of plan.onTime) {
        const fireKey = String(fireAt);
        await launchRun(ctx, tx, emit, ended, task, { reason: 'schedule', fireAt, startAt: fireAt, fireKey });
      }
      if (plan.next === null) await tx.triggers.clear(task.id);
      else
        await tx.triggers.set({ taskId: task.id, orgId: task.orgId, nextFireAt: plan.next, taskVersion: task.version });
    }
    return due.length;
  });
  ctx.abortLocal(ended);
  return handled;
}
