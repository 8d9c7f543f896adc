// Runs coming to an end: ended on purpose (cancelled, replaced, skipped) or closed when
// their last jobstate ended. Their start is in launch.ts.
import type { JobstateReason, Run, RunStatus, Task } from '../core/model.ts';
import type { StoreSession } from '../core/ports/store.ts';
import { type Emit, WAKE_LOOP } from './context.ts';

/**
 * Ends a run (returned as ended; null when it was over already). Its open jobstates end
 * with it (`jobstateStatus`, default cancelled), so no orphan keeps waiting for a run that
 * is over; their ids are added to `ended` so the caller can stop the ones running on this
 * node once the transaction committed.
 */
export async function endRun(
  ended: string[],
  tx: StoreSession,
  emit: Emit,
  run: Run,
  status: Extract<RunStatus, 'finished' | 'error' | 'cancelled' | 'skipped'>,
  statusReason: string | null,
  now: number,
  jobstateStatus: 'cancelled' | 'skipped' = 'cancelled',
  jobstateReason: JobstateReason = 'cancelled_by_user',
): Promise<Run | null> {
  if (!(await tx.runs.update(run.id, { status, statusReason, finishedAt: now }, ['pending', 'running']))) return null;
  ended.push(...(await tx.jobstates.endOpenOfRun(run.id, jobstateStatus, jobstateReason, now)));
  const endedRun: Run = { ...run, status, statusReason, finishedAt: now };
  emit({ type: 'run', run: endedRun });
  return endedRun;
}

/**
 * Closes the run when its last jobstate ended: finished if none errored, error otherwise;
 * whether it closed. A queued run of the same task may start now: `task` (null when it is
 * gone) says whether the loop must look.
 */
export async function completeRunIfDone(
  tx: StoreSession,
  emit: Emit,
  runId: string,
  task: Task | null,
  now: number,
): Promise<boolean> {
  const ended = await tx.runs.completeIfDone(runId, now);
  if (!ended) return false;
  emit({ type: 'run', run: ended });
  if (task?.concurrency === 'queue') emit(WAKE_LOOP);
  return true;
}
