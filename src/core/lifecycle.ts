// The jobstate and run lifecycles as one table each: which status may follow which. The
// engine builds every status change through `move` (the patch and the status guard of the
// same UPDATE), and the store reads its WHERE clauses off the same table (`sourcesOf`), so a
// new transition is added here once and cannot be allowed by one side and refused by the other.
import type { JobstateStatus, RunStatus } from './model.ts';

/** Allowed next statuses per status. */
export type Lifecycle<S extends string> = Readonly<Record<S, readonly S[]>>;

export const JOBSTATE_LIFECYCLE: Lifecycle<JobstateStatus> = {
  // prepared: its turn came; skipped: startIf unmet; error: its window closed for good;
  // cancelled/skipped: its run ended; finished: a late report of the attempt before a retry.
  waiting: ['prepared', 'skipped', 'error', 'cancelled', 'finished'],
  // running: claimed; waiting: its window closed, or a retry after a failure before any claim
  // (expired, agent unreachable); error: same, final.
  prepared: ['running', 'waiting', 'error', 'cancelled', 'skipped', 'finished'],
  // prepared: a chunk returned a checkpoint; waiting: a retry, or its window closed (pause).
  running: ['prepared', 'waiting', 'finished', 'error', 'cancelled', 'skipped'],
  // The server gave up on an attempt the agent finished after all (late-reports.ts).
  error: ['finished'],
  finished: [],
  // Cancelled by its run's rollout halting, back in its wave when the run is resumed.
  cancelled: ['waiting'],
  skipped: [],
};

export const RUN_LIFECYCLE: Lifecycle<RunStatus> = {
  pending: ['running', 'finished', 'error', 'cancelled', 'skipped'],
  running: ['finished', 'error', 'cancelled', 'skipped'],
  finished: [],
  // Halted by its rollout, resumed by an operator.
  error: ['running'],
  cancelled: [],
  skipped: [],
  missed: [],
};

/** The statuses `to` may be reached from: the guard of a move that accepts any lawful source. */
export function sourcesOf<S extends string>(lifecycle: Lifecycle<S>, to: S): S[] {
  return (Object.keys(lifecycle) as S[]).filter((from) => lifecycle[from].includes(to));
}

/** A status change: the patch to write and the statuses the row must still be in (the UPDATE's WHERE). */
export interface Move<S extends string, P> {
  patch: P & { status: S };
  guard: S[];
}

/**
 * The move to `to` with the rest of `patch`, from one of `from` (default: every lawful
 * source). A source the table does not allow is a bug in the caller, so it throws.
 */
export function move<S extends string, P extends object>(
  lifecycle: Lifecycle<S>,
  to: S,
  patch: P,
  from: readonly S[] = sourcesOf(lifecycle, to),
): Move<S, P> {
  const unlawful = from.filter((status) => !lifecycle[status].includes(to));
  if (unlawful.length > 0) throw new Error(`lifecycle: ${unlawful.join(', ')} → ${to} is not a transition`);
  return { patch: { ...patch, status: to }, guard: [...from] };
}

export const moveJobstate = <P extends object>(to: JobstateStatus, patch: P, from?: readonly JobstateStatus[]) =>
  move(JOBSTATE_LIFECYCLE, to, patch, from);

export const moveRun = <P extends object>(to: RunStatus, patch: P, from?: readonly RunStatus[]) =>
  move(RUN_LIFECYCLE, to, patch, from);
