import type { Jobstate, Task } from '../core/model.ts';
import type { JobstateFence, JobstatePatch } from '../core/ports/store.ts';
import { compileWindows, type Windows } from '../core/schedule/index.ts';
import { decideStart, jobDefOf } from '../core/sequencing.ts';
import { type EngineContext, withTx } from './context.ts';
import { afterTerminal } from './outcomes.ts';

const BATCH = 200;
/** Longest a parked jobstate waits if its wake-up was lost; normally it is woken at once. */
const PARK_RECHECK_MS = 60_000;

function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
  }
  return value;
}

/**
 * Moves due `waiting` jobstates on: to `prepared` when their previous job ended and their
 * startIf holds, the task's timeslots are open and, for a serial module, no other of its
 * jobstates is busy in the org; to `skipped` when startIf is unmet. Otherwise the
 * jobstate stays waiting with a reason and is parked until what it waits for happens
 * (dueAt = the next opening for a closed timeslot; for a previous job or a busy module,
 * the store's `wake` when that ends — with a late recheck as a safety net, because on a
 * shared database the wake can slip in between our read and our park).
 * Returns how many jobstates changed.
 *
 * A batch reads each run's jobstates and each task once: a run of 10,000 targets must not
 * cost 10,000 reads of 10,000 rows. The cached statuses stay sound because a terminal
 * status never changes, and a stale non-terminal one only parks a jobstate until its wake.
 */
export async function advanceWaiting(ctx: EngineContext): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.store.jobstates.listDueWaiting(now, BATCH);
  const windowsByTask = new Map<string, Windows>();
  const tasks = new Map<string, Promise<Task | null>>();
  const runStates = new Map<string, Promise<Jobstate[]>>();
  let changed = 0;
  for (const candidate of due) {
    const moved = await withTx(ctx, async (tx, emit) => {
      const js = await tx.jobstates.get(candidate.id);
      if (!js || js.status !== 'waiting' || js.dueAt === null || js.dueAt > now) return false;
      const task = await cached(tasks, js.taskId, () => tx.tasks.get(js.taskId));
      const siblings = await cached(runStates, js.runId, () => tx.jobstates.allOfRun(js.runId));
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
        const sibling = siblings.find((o) => o.id === js.id);
        if (sibling) sibling.status = patch.status;
        emit({ type: 'jobstate', jobstate: moved });
        if (patch.status !== 'prepared') await afterTerminal(ctx, tx, emit, moved);
        return true;
      };

      const decision = decideStart(js, job?.startIf ?? 'always', siblings);
      if (decision === 'wait') return park({ reason: 'waiting_previous', dueAt: now + PARK_RECHECK_MS });
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
        return park({ reason: 'postponed', dueAt: now + PARK_RECHECK_MS });
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
