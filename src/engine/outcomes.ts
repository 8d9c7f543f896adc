import { moveJobstate } from '../core/lifecycle.ts';
import type { Jobstate, JobstateReason, LogLine, Task } from '../core/model.ts';
import type { JobstateFence, JobstatePatch, StoreSession } from '../core/ports/store.ts';
import { jobDefOf } from '../core/sequencing.ts';
import { type EngineContext, type UnitOfWork, WAKE_LOOP, withTx } from './context.ts';
import { rolloutAfterEnd } from './rollout.ts';
import { closesWithItsBatch, completeRunIfDone, mayHaveNextJob } from './runs.ts';

export interface JobstateOutcome {
  ok: boolean;
  reason?: JobstateReason | null;
  result?: unknown;
  /** false = final whatever the retry policy says (the jobstate's agent was deleted). */
  retry?: boolean;
  /** The attempt's log lines not written yet: written with the outcome, refused with it. */
  lines?: LogLine[];
  /** How long the attempt ran in all (Jobstate.elapsedMs), when the caller measured it. */
  elapsedMs?: number;
  /**
   * What the caller writes with a final end, in the same fenced update (an agent's applied
   * event seq and latest progress): one statement rather than two. A retry starts the next
   * attempt afresh (seq 0, no progress) whatever this says.
   */
  alongside?: Pick<JobstatePatch, 'eventSeq' | 'progress'>;
}

/** What an outcome's write requires of the jobstate besides its attempt (which it adds). */
export type OutcomeFence = Omit<JobstateFence, 'attempt'> & { status: Jobstate['status'][] };

/** Errors no retry can help: the user stopped it, or its agent never came for it in time. */
const NEVER_RETRIED: readonly JobstateReason[] = ['cancelled_by_user', 'expired'];

/**
 * The one place a jobstate reaches an end. An error with attempts left goes back to
 * `waiting` as attempt + 1 after the job's backoff, with the params the module's onError
 * chose (iTop's ChangeActionParamsOnError); anything else is final: the ledger records it,
 * the next job of the run is released, a postponed job of a serial module gets its turn,
 * and the run closes if this was its last open jobstate.
 *
 * `expectedStatus` fences the write: a report about a jobstate that moved on meanwhile (a
 * newer attempt, a cancellation) changes nothing and returns false.
 */
export async function endJobstate(
  ctx: EngineContext,
  uow: UnitOfWork,
  js: Jobstate,
  outcome: JobstateOutcome,
  fence: OutcomeFence,
): Promise<boolean> {
  const { tx, emit, now } = uow;
  const task = await uow.reads.task(js.taskId);
  const job = jobDefOf(task, js);
  const reason = outcome.ok ? (outcome.reason ?? null) : (outcome.reason ?? 'module_failed');
  const retryable =
    !outcome.ok &&
    outcome.retry !== false &&
    !NEVER_RETRIED.includes(reason as JobstateReason) &&
    job !== undefined &&
    js.attempt <= job.retryAttempts;
  const fenceWith = { ...fence, attempt: js.attempt };

  if (retryable) {
    const module = ctx.modules.get(js.module);
    const params =
      module?.onError?.({
        params: js.params,
        attempt: js.attempt,
        reason: reason as JobstateReason,
        result: outcome.result,
      }) ?? js.params;
    const { patch, guard } = moveJobstate(
      'waiting',
      {
        reason: 'retry_backoff',
        attempt: js.attempt + 1,
        params,
        dueAt: now + job.retryBackoffSeconds * 1000,
        preparedAt: null,
        startedAt: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        checkpoint: null,
        result: outcome.result ?? null,
        eventSeq: 0,
        progress: null,
        elapsedMs: 0,
        updatedAt: now,
      } as const,
      fence.status,
    );
    if (!(await tx.jobstates.update(js.id, patch, { ...fenceWith, status: guard }))) return false;
    await tx.logs.append(js.id, js.attempt, [
      ...(outcome.lines ?? []),
      {
        ts: now,
        stream: 'info',
        line: `attempt ${js.attempt} failed (${reason}); retrying in ${job.retryBackoffSeconds}s`,
      },
    ]);
    emit({ type: 'jobstate', jobstate: { ...js, ...patch } });
    return true;
  }

  const status = outcome.ok ? 'finished' : 'error';
  const { patch, guard } = moveJobstate(
    status,
    {
      ...outcome.alongside,
      reason,
      finishedAt: now,
      leaseOwner: null,
      leaseExpiresAt: null,
      result: outcome.result ?? null,
      ...(outcome.elapsedMs === undefined ? {} : { elapsedMs: outcome.elapsedMs }),
      updatedAt: now,
    },
    fence.status,
  );
  if (!(await tx.jobstates.update(js.id, patch, { ...fenceWith, status: guard }))) return false;
  await tx.logs.append(js.id, js.attempt, outcome.lines ?? []);
  const ended = { ...js, ...patch };
  emit({ type: 'jobstate', jobstate: ended });
  await afterTerminal(ctx, uow, ended, task);
  return true;
}

/** Everything that follows a jobstate becoming terminal (finished, error, skipped, cancelled); `task` is its task now. */
export async function afterTerminal(
  ctx: EngineContext,
  uow: UnitOfWork,
  js: Jobstate,
  task: Task | null,
): Promise<void> {
  const { tx, emit, now } = uow;
  // Only work that ran is an outcome: a job cancelled or skipped before it started would
  // otherwise hide where the target stands (a package installed by the run before).
  if (js.startedAt !== null) await recordOutcome(tx, js, now);
  let woken = 0;
  // In a batch, its run's close and its next job's wake are done with the others' (a rollout's wave is decided here).
  if (uow.batchEnds && closesWithItsBatch(js)) uow.batchEnds.defer(js, task);
  // A run that ended with this jobstate has no next job left to wake: one statement less per run.
  else if (!(await completeRunIfDone(uow, js.runId, task))) {
    if (mayHaveNextJob(js, task)) {
      woken += await tx.jobstates.wake({ reason: 'waiting_previous', runId: js.runId, jobIndex: js.jobIndex + 1 }, now);
    }
    await rolloutAfterEnd(ctx, uow, js);
  }
  if (ctx.modules.get(js.module)?.parallelizable === false) {
    woken += await tx.jobstates.wake({ reason: 'postponed', orgId: js.orgId, module: js.module }, now);
  }
  if (woken > 0) emit(WAKE_LOOP);
}

/** endJobstate in its own transaction, for callers outside one. */
export function reportOutcome(
  ctx: EngineContext,
  js: Jobstate,
  outcome: JobstateOutcome,
  fence: OutcomeFence,
): Promise<boolean> {
  return withTx(ctx, (uow) => endJobstate(ctx, uow, js, outcome, fence));
}

function recordOutcome(tx: StoreSession, js: Jobstate, at: number): Promise<void> {
  return tx.ledger.record({
    taskId: js.taskId,
    job: js.job,
    target: js.agentId ?? 'server',
    runId: js.runId,
    jobstateId: js.id,
    attempt: js.attempt,
    status: js.status,
    reason: js.reason,
    result: js.result,
    at,
  });
}
