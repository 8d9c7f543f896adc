// Runs coming to an end: ended on purpose (cancelled, replaced, skipped) or closed when
// their last jobstate ended. Their start is in launch.ts.
import { moveRun } from '../core/lifecycle.ts';
import type { Jobstate, JobstateReason, Run, RunStatus, Task } from '../core/model.ts';
import { type UnitOfWork, WAKE_LOOP } from './context.ts';

/** How a run is ended on purpose, and what its open jobstates become with it. */
export interface RunEnd {
  status: Extract<RunStatus, 'finished' | 'error' | 'cancelled' | 'skipped'>;
  statusReason: string | null;
  /** Default cancelled. */
  jobstateStatus?: 'cancelled' | 'skipped';
  /** Default cancelled_by_user. */
  jobstateReason?: JobstateReason;
}

/**
 * Ends a run (returned as ended; null when it was over already). Its open jobstates end
 * with it, so no orphan keeps waiting for a run that is over; the ones running on this
 * node are stopped once the transaction committed (uow.stop).
 */
export async function endRun(uow: UnitOfWork, run: Run, end: RunEnd): Promise<Run | null> {
  const { tx, now } = uow;
  const { status, statusReason } = end;
  const { patch, guard } = moveRun(status, { statusReason, finishedAt: now }, ['pending', 'running']);
  if (!(await tx.runs.update(run.id, patch, guard))) return null;
  const jobstateStatus = end.jobstateStatus ?? 'cancelled';
  uow.stop(await tx.jobstates.endOpenOfRun(run.id, jobstateStatus, end.jobstateReason ?? 'cancelled_by_user', now));
  const endedRun: Run = { ...run, status, statusReason, finishedAt: now };
  uow.emit({ type: 'run', run: endedRun });
  return endedRun;
}

/**
 * Closes the run when its last jobstate ended: finished if none errored, error otherwise;
 * whether it closed. A queued run of the same task may start now: `task` (null when it is
 * gone) says whether the loop must look.
 */
export async function completeRunIfDone(uow: UnitOfWork, runId: string, task: Task | null): Promise<boolean> {
  const ended = await uow.tx.runs.completeIfDone(runId, uow.now);
  if (!ended) return false;
  announceClosed(uow, ended, task);
  return true;
}

/** A run closed by its last jobstate's end: the UI hears of it, and a queued run of its task may start. */
function announceClosed(uow: UnitOfWork, run: Run, task: Task | null): void {
  uow.emit({ type: 'run', run });
  if (task?.concurrency === 'queue') uow.emit(WAKE_LOOP);
}

/**
 * Whether a run may have a job after the ended jobstate's, waiting for it (waiting_previous).
 * Only a task never changed (version 1) says for sure what its runs' jobs are: a run keeps
 * the jobs of the version it began with. Its last job's end then wakes nobody: one
 * statement less per end (per batch) of every one-job task.
 */
export function mayHaveNextJob(js: Pick<Jobstate, 'jobIndex'>, task: Task | null): boolean {
  return task === null || task.version !== 1 || js.jobIndex + 1 < task.jobs.length;
}

/**
 * Whether a jobstate's run is closed with its batch's other ends (BatchedRunEnds) rather
 * than as it ends: a staged rollout's run decides its next wave at each end (rollout.ts).
 */
export const closesWithItsBatch = (js: Pick<Jobstate, 'wave'>): boolean => js.wave === undefined;

/**
 * What follows the ends of a batch's jobstates (afterTerminal), done once for them all at
 * the batch's end: their runs closed by one statement, then the next job of each run that
 * stays open woken, as completeRunIfDone then a wake would one by one. A run is closed
 * before its next job is looked at, as there: a waiting next job keeps the run open.
 */
export class BatchedRunEnds {
  private readonly ended: { js: Jobstate; task: Task | null }[] = [];

  defer(js: Jobstate, task: Task | null): void {
    this.ended.push({ js, task });
  }

  async settle(uow: UnitOfWork): Promise<void> {
    if (this.ended.length === 0) return;
    const { tx, now } = uow;
    const taskOfRun = new Map(this.ended.map(({ js, task }) => [js.runId, task]));
    const closed = new Set<string>();
    for (const run of await tx.runs.completeManyIfDone([...taskOfRun.keys()], now)) {
      closed.add(run.id);
      announceClosed(uow, run, taskOfRun.get(run.id) ?? null);
    }
    // One wake per (run, next job): the targets of one job ending in one batch share it.
    const next = new Map<string, { runId: string; jobIndex: number }>();
    for (const { js, task } of this.ended) {
      if (!closed.has(js.runId) && mayHaveNextJob(js, task))
        next.set(`${js.runId}/${js.jobIndex + 1}`, { runId: js.runId, jobIndex: js.jobIndex + 1 });
    }
    let woken = 0;
    for (const { runId, jobIndex } of next.values()) {
      woken += await tx.jobstates.wake({ reason: 'waiting_previous', runId, jobIndex }, now);
    }
    if (woken > 0) uow.emit(WAKE_LOOP);
  }
}
