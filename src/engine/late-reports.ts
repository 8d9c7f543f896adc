// Reports an agent sends for an attempt the server already gave up on. The rule:
//
// * The agent enforces a job's timeout itself, on its own monotonic clock (time it was
//   stopped or suspended does not count), and reports `timeout` with that measure.
// * The server waits for the agent's report until the job's timeout plus a grace
//   (agentGraceMs), counted from the claim, in database time; then it gives up on the
//   attempt: `error` reason timeout, retried per policy (sweeper.ts).
// * A report for that attempt arriving later (the agent was paused, cut off) is late:
//   - while the retry has not started (the jobstate waits or is prepared for the next
//     attempt), an outcome that succeeded is accepted: the jobstate ends `finished` as that
//     attempt, and the retry is not run (the work is done);
//   - otherwise it is recorded: its lines and a note go to that attempt's log, and nothing
//     else changes (a failure leaves the retry to run; after the last attempt the error stands).
// * While the agent still lists such a jobstate as running, it is neither told to stop it
//   nor handed the retry (agents.ts): one job never runs twice at once on it.
import { TaskwardenError } from '../core/errors.ts';
import { moveJobstate } from '../core/lifecycle.ts';
import type { Jobstate, LogLine } from '../core/model.ts';
import type { AgentOutcome } from '../core/ports/module.ts';
import type { EngineContext, UnitOfWork } from './context.ts';
import { afterTerminal } from './outcomes.ts';

/** A retry waits while the agent may still report the attempt before it; or the server gave up on the last attempt. */
export type LateReport = 'retry_pending' | 'given_up';

/**
 * The result of an attempt the server gave up on (sweeper.ts). A retry keeps it until it
 * runs: it is what tells a late report from a stale one (an attempt the agent itself ended).
 */
export function gaveUpResult(error: string): { error: string; serverGaveUp: true } {
  return { error, serverGaveUp: true };
}

/** Whether the server gave up on the attempt this agent jobstate's agent may still hold (see the rule above). */
export function awaitsLateReport(js: Jobstate): boolean {
  return lateReportOf(js, js.status === 'error' ? js.attempt : js.attempt - 1) !== null;
}

/** What a report for `attempt` of this jobstate is, when it comes after the server gave up on that attempt. */
export function lateReportOf(js: Jobstate, attempt: number): LateReport | null {
  if (js.runner !== 'agent' || (js.result as { serverGaveUp?: unknown } | null)?.serverGaveUp !== true) return null;
  if ((js.status === 'waiting' || js.status === 'prepared') && attempt === js.attempt - 1) return 'retry_pending';
  if (js.status === 'error' && attempt === js.attempt) return 'given_up';
  return null;
}

export interface LateOutcome {
  js: Jobstate;
  /** The attempt the report is for. */
  attempt: number;
  kind: LateReport;
  /** The digested outcome, when the report carries one. */
  outcome: AgentOutcome | null;
  /** The report's last seq. */
  lastSeq: number;
}

/**
 * Applies what a late report changes (see the rule above) in `tx`, and returns the note
 * for that attempt's log (null when the report carries no outcome).
 */
export async function settleLateReport(
  ctx: EngineContext,
  uow: UnitOfWork,
  late: LateOutcome,
): Promise<LogLine | null> {
  const { js, attempt, kind, outcome } = late;
  const { tx, emit, now } = uow;
  const note = (line: string): LogLine => ({ ts: now, stream: 'info', line: `late report: ${line}` });
  if (kind === 'given_up') {
    // The attempt's seq still counts its events: a resend of this report is a duplicate.
    await tx.jobstates.update(js.id, { eventSeq: late.lastSeq, updatedAt: now }, { status: ['error'], attempt });
    if (!outcome) return null;
    return note(
      `the agent says attempt ${attempt} ${said(outcome)}, after the server had given up on it; recorded only`,
    );
  }
  if (!outcome) return null;
  if (!outcome.ok) {
    return note(
      `attempt ${attempt} ${said(outcome)}, after the server had given up on it; attempt ${js.attempt} goes ahead`,
    );
  }
  const { patch, guard } = moveJobstate(
    'finished',
    {
      reason: outcome.reason ?? null,
      attempt,
      result: outcome.result ?? null,
      finishedAt: now,
      dueAt: null,
      preparedAt: null,
      eventSeq: late.lastSeq,
      updatedAt: now,
    },
    [js.status],
  );
  if (!(await tx.jobstates.update(js.id, patch, { status: guard, attempt: js.attempt }))) {
    throw new TaskwardenError(
      'jobstate_changed',
      `jobstate ${js.id} changed while its late report was applied; resend`,
    );
  }
  const finished = { ...js, ...patch };
  emit({ type: 'jobstate', jobstate: finished });
  await afterTerminal(ctx, uow, finished, await uow.reads.task(js.taskId));
  return note(`attempt ${attempt} finished after the server had given up on it; attempt ${js.attempt} is not run`);
}

function said(outcome: AgentOutcome): string {
  return outcome.ok ? 'finished' : `failed (${outcome.reason ?? 'module_failed'})`;
}
