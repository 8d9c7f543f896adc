import type { JobDef, Jobstate, JobstateStatus, RunStatus, StartIf, Task } from './model.ts';
import { TERMINAL_JOBSTATE_STATUSES } from './model.ts';
import type { JobstateCounts } from './ports/store.ts';

/**
 * Sequencing rules of a run's jobs (Taskomatic's start_if on ordered templates, applied
 * per target as FusionInventory prepares per-agent jobstates):
 *
 * - Job i+1 for a target starts only after job i ended for that same target; when job i
 *   has no jobstate for that target, after job i ended for all of its targets.
 * - Then its startIf decides: `always` runs whatever happened, `success` runs only if
 *   every one of those predecessors finished, `failure` only if one of them errored.
 *   Unmet → the jobstate is `skipped` (reason start_if_unmet), which in turn ends it
 *   for the next job, so a failed chain is visibly skipped instead of silently absent.
 * - A first job, or one whose previous job resolved to no target at all, just starts.
 */
export type StartDecision = 'go' | 'wait' | 'skip';

export interface SequencedJobstate {
  jobIndex: number;
  agentId: string | null;
  status: JobstateStatus;
}

export function isTerminal(status: JobstateStatus): boolean {
  return TERMINAL_JOBSTATE_STATUSES.includes(status);
}

export function predecessorsOf<T extends SequencedJobstate>(js: SequencedJobstate, runJobstates: readonly T[]): T[] {
  // A first job has none: no walk over the run's jobstates, once per jobstate of a run of 100,000 targets.
  if (js.jobIndex === 0) return [];
  const previous = runJobstates.filter((o) => o.jobIndex === js.jobIndex - 1);
  const sameTarget = previous.filter((o) => o.agentId === js.agentId);
  return sameTarget.length > 0 ? sameTarget : previous;
}

export function decideStart(
  js: SequencedJobstate,
  startIf: StartIf,
  runJobstates: readonly SequencedJobstate[],
): StartDecision {
  const deps = predecessorsOf(js, runJobstates);
  if (deps.some((d) => !isTerminal(d.status))) return 'wait';
  if (deps.length === 0 || startIf === 'always') return 'go';
  if (startIf === 'success') return deps.every((d) => d.status === 'finished') ? 'go' : 'skip';
  return deps.some((d) => d.status === 'error') ? 'go' : 'skip';
}

export interface RunProgress {
  total: number;
  terminal: number;
  /**
   * Whole percent of the run's work that ran to an end (finished or error), out of all of
   * it but what was skipped (start_if unmet, unneeded, an overlapping firing): cancelled
   * work counts as not done, so a cancelled run never reads 100 %. Null when nothing was
   * ever to run (no jobstate, or all skipped).
   */
  completion: number | null;
  /** The status the run ends with once every jobstate is terminal, else null. */
  outcome: Extract<RunStatus, 'finished' | 'error'> | null;
}

/** A run is finished when all its jobstates are terminal and none errored, error otherwise. */
export function runProgress(counts: JobstateCounts): RunProgress {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const terminal = counts.finished + counts.error + counts.cancelled + counts.skipped;
  const toRun = total - counts.skipped;
  const completion = toRun === 0 ? null : Math.floor(((counts.finished + counts.error) * 100) / toRun);
  let outcome: RunProgress['outcome'] = null;
  if (terminal === total) outcome = counts.error > 0 || total === 0 ? 'error' : 'finished';
  return { total, terminal, completion, outcome };
}

/**
 * The job definition a jobstate was made from, looked up in the task as it is now. A task
 * edited since the run started may have lost or reordered that job: then undefined, and
 * callers fall back to the jobstate's own snapshot (params, timeout) and plain defaults.
 */
export function jobDefOf(task: Task | null | undefined, js: Pick<Jobstate, 'jobIndex' | 'job'>): JobDef | undefined {
  const job = task?.jobs[js.jobIndex];
  return job?.name === js.job ? job : undefined;
}
