import type { Jobstate, Task } from '../core/model.ts';
import type { JobstateFence, JobstatePatch } from '../core/ports/store.ts';
import { compileWindows, type Windows } from '../core/schedule/index.ts';
import { decideStart, jobDefOf } from '../core/sequencing.ts';
import { type EngineContext, withTx } from './context.ts';
import { afterTerminal } from './outcomes.ts';

const BATCH = 200;

/**
 * Moves due `waiting` jobstates on: to `prepared` when their previous job ended and their
 * startIf holds, the task's timeslots are open and, for a serial module, no other of its
 * jobstates is busy in the org; to `skipped` when startIf is unmet. Otherwise the
 * jobstate stays waiting with a reason and is parked until what it waits for happens
 * (dueAt = the next opening for a closed timeslot; dueAt = null, woken by the store's
 * `wake`, for a previous job or a busy module), so nothing polls for it.
 * Returns how many jobstates changed.
 */
export async function advanceWaiting(ctx: EngineContext): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.store.jobstates.listDueWaiting(now, BATCH);
  const windowsByTask = new Map<string, Windows>();
  let changed = 0;
  for (const candidate of due) {
    const moved = await withTx(ctx, async (tx, emit) => {
      const js = await tx.jobstates.get(candidate.id);
      if (!js || js.status !== 'waiting' || js.dueAt === null || js.dueAt > now) return false;
      const task = await tx.tasks.get(js.taskId);
      const job = jobDefOf(task, js);
      const fence = { status: ['waiting'], attempt: js.attempt } satisfies JobstateFence;
      const park = async (patch: JobstatePatch) => {
        await tx.jobstates.update(js.id, { ...patch, updatedAt: now }, fence);
        return false;
      };
      /** A move that counts: written, announced, and followed up when terminal. */
      const move = async (patch: JobstatePatch & Pick<Jobstate, 'status'>) => {
        const moved = { ...js, ...patch, updatedAt: now };
        if (!(await tx.jobstates.update(js.id, { ...patch, updatedAt: now }, fence))) return false;
        emit({ type: 'jobstate', jobstate: moved });
        if (patch.status !== 'prepared') await afterTerminal(ctx, tx, emit, moved);
        return true;
      };

      const decision = decideStart(js, job?.startIf ?? 'always', await tx.jobstates.allOfRun(js.runId));
      if (decision === 'wait') return park({ reason: 'waiting_previous', dueAt: null });
      if (decision === 'skip') return move({ status: 'skipped', reason: 'start_if_unmet', finishedAt: now });

      if (task) {
        const windows = windowsFor(task, windowsByTask, ctx.options.defaultTz);
        if (!windows.isOpen(now)) {
          const opening = windows.nextOpen(now);
          if (opening === null) return move({ status: 'error', reason: 'expired', finishedAt: now });
          return park({ reason: 'timeslot_closed', dueAt: opening });
        }
      }

      if (
        ctx.modules.get(js.module)?.parallelizable === false &&
        (await tx.jobstates.countBusy(js.orgId, js.module)) > 0
      ) {
        return park({ reason: 'postponed', dueAt: null });
      }

      return move({ status: 'prepared', reason: null, preparedAt: now });
    });
    if (moved) changed++;
  }
  return changed;
}

function windowsFor(task: Task, cache: Map<string, Windows>, defaultTz: string): Windows {
  let windows = cache.get(task.id);
  if (!windows) {
    windows = compileWindows({
      tz: ('tz' in task.schedule && task.schedule.tz) || defaultTz,
      timeslots: task.timeslots,
      blackouts: task.blackouts,
      activeFrom: null,
      activeTill: task.activeTill,
    });
    cache.set(task.id, windows);
  }
  return windows;
}
