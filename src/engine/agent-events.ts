import { notFound, TaskwardenError } from '../core/errors.ts';
import type { Jobstate, JobstateReason, LogLine, LogStream } from '../core/model.ts';
import type { AgentOutcome } from '../core/ports/module.ts';
import { type EngineContext, type UnitOfWork, withTx } from './context.ts';
import { endOf, type WriteWith } from './group-commit.ts';
import { type LateReport, lateReportOf, settleLateReport } from './late-reports.ts';
import { endJobstate } from './outcomes.ts';

/** One event of an agent job, as the agent protocol carries it (protocol/agent.ts AgentEvent). */
export type AgentEventInput =
  | { seq: number; ts: number; type: 'started' }
  | { seq: number; ts: number; type: 'log'; stream: LogStream; line: string }
  | { seq: number; ts: number; type: 'progress'; percent: number; message?: string | undefined }
  | { seq: number; ts: number; type: 'finished' | 'error'; result?: unknown; reason?: string | undefined };

/** One events call of an agent: the batch it sent for one attempt of one of its jobstates. */
export interface EventsCall {
  agentId: string;
  jobstateId: string;
  attempt: number;
  events: readonly AgentEventInput[];
}

/** How an events call reads its jobstate and writes what it applies: with the other calls of its moment. */
export interface EventsBatching {
  /** The jobstate, read with the other calls' of the same turn (TurnReads). */
  read(jobstateId: string): Promise<Jobstate | null>;
  /**
   * The write, through the agents' group commit; `ends` when it may end the jobstate,
   * `countsLinesOf` when it appends log lines (their cap counts the jobstate's), `lines` how many.
   */
  commit(write: (uow: UnitOfWork) => Promise<boolean>, batchedWith: WriteWith): Promise<boolean>;
}

export interface EventsApplied {
  /** How many events of the batch were new. */
  applied: number;
  /** The highest seq applied for this attempt so far. */
  lastSeq: number;
}

/** Reasons an agent may give for its own outcome; anything else reads as module_failed. */
const AGENT_REASONS: readonly JobstateReason[] = [
  'module_failed',
  'module_unknown',
  'timeout',
  'interrupted',
  'unneeded',
];
/** Concurrent batches for one jobstate (a resend racing the original) retry this often. */
const MAX_ROUNDS = 5;

type EndEvent = Extract<AgentEventInput, { type: 'finished' | 'error' }>;

/**
 * Applies a batch of an agent's events to one of its jobstates, each seq once: events at
 * or below the jobstate's `eventSeq` are duplicates of a resend and skipped. A
 * `finished`/`error` event first goes through the module's `accept`; then, in one
 * transaction, the seq moves (compare-and-set) with the latest progress and the end (through
 * `endJobstate`) in one fenced update, and the logs land under the per-jobstate cap: all of
 * it or none, so a resend after a crash or a lost reply is applied exactly once.
 *
 * A report for an attempt the server gave up on (its agent was silent past the timeout
 * and the grace) is late: applied by the rule of late-reports.ts, never re-running work
 * that finished. Refusals: another agent's or an unknown jobstate → not_found; another
 * attempt than the current one → stale_attempt (409, the agent drops it); new events for
 * a jobstate that no longer runs (cancelled, lost) → gone (410, the agent stops the job).
 */
export async function applyAgentEvents(
  ctx: EngineContext,
  call: EventsCall,
  batching: EventsBatching,
): Promise<EventsApplied> {
  const { agentId, jobstateId, attempt } = call;
  const batch = uniqueBySeq(call.events);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const js = await batching.read(jobstateId);
    if (!js || js.agentId !== agentId || js.runner !== 'agent') throw notFound('jobstate', jobstateId);
    const late = lateReportOf(js, attempt);
    if (attempt !== js.attempt && late !== 'retry_pending') {
      throw new TaskwardenError('stale_attempt', `attempt ${attempt} is not the current attempt (${js.attempt})`);
    }
    // A retry's eventSeq counts the new attempt's events: none of the late one's were applied.
    const fresh = batch.filter((e) => e.seq > (late === 'retry_pending' ? 0 : js.eventSeq));
    if (fresh.length === 0) return { applied: 0, lastSeq: js.eventSeq };
    if (late) return applyLate(ctx, { ...js, attempt }, late, js, fresh);
    if (js.status !== 'running')
      throw new TaskwardenError('jobstate_ended', `jobstate ${jobstateId} is ${js.status}: stop it`);

    const endAt = fresh.findIndex((e) => e.type === 'finished' || e.type === 'error');
    const progressing = endAt === -1 ? fresh : fresh.slice(0, endAt);
    // Events after the end are moot: the seq jumps past them, so a resend is a duplicate.
    const lastSeq = (fresh[fresh.length - 1] as AgentEventInput).seq;
    const outcome = endAt === -1 ? null : await accepted(ctx, js, fresh[endAt] as EndEvent);
    // Through the agents' group commit: the events of many agents share one transaction.
    // An end names its run and task: the batch locks its runs and reads its tasks at once.
    const ends = outcome ? endOf(js) : null;
    const lines = progressing.filter((e) => e.type === 'log').length;
    const applied = await batching.commit(
      (uow) => applyFenced(ctx, uow, { js, events: progressing, lastSeq, outcome }),
      { ends, countsLinesOf: lines > 0 ? js.id : null, lines },
    );
    if (applied) return { applied: progressing.length + (outcome ? 1 : 0), lastSeq };
  }
  throw new TaskwardenError('jobstate_reports_racing', `events of jobstate ${jobstateId} keep racing; send them again`);
}

/** A late report (late-reports.ts): its lines go to its attempt's log with a note, and settleLateReport decides the rest. */
async function applyLate(
  ctx: EngineContext,
  reported: Jobstate,
  kind: LateReport,
  js: Jobstate,
  fresh: readonly AgentEventInput[],
): Promise<EventsApplied> {
  const now = ctx.clock.now();
  const endAt = fresh.findIndex((e) => e.type === 'finished' || e.type === 'error');
  const lastSeq = (fresh[fresh.length - 1] as AgentEventInput).seq;
  const lines = logLines(endAt === -1 ? fresh : fresh.slice(0, endAt), reported, now);
  const outcome = endAt === -1 ? null : await accepted(ctx, reported, fresh[endAt] as EndEvent);
  await withTx(ctx, async (uow) => {
    const late = { js, attempt: reported.attempt, kind, outcome, lastSeq };
    const note = await settleLateReport(ctx, uow, late);
    await appendCapped(ctx, uow, reported, note ? [...lines, note] : lines);
  });
  return { applied: fresh.length, lastSeq };
}

/** What one batch of events writes: the seq move to `lastSeq`, the logs and progress of `events`, the end if any. */
interface FencedWrite {
  js: Jobstate;
  events: readonly AgentEventInput[];
  lastSeq: number;
  outcome: AgentOutcome | null;
}

/**
 * Writes a batch of events under the seq's compare-and-set (status running, the attempt,
 * the seq read): false, with nothing written, when another writer moved the jobstate
 * first. The seq move, the latest progress and the end are one fenced update of the row;
 * the log lines follow only once it landed (write-behind holds what it is given).
 */
async function applyFenced(ctx: EngineContext, uow: UnitOfWork, write: FencedWrite): Promise<boolean> {
  const { js, events, lastSeq, outcome } = write;
  const now = ctx.clock.now();
  const alongside = { eventSeq: lastSeq, ...progressOf(events, js, now) };
  const fence = { status: ['running' as const], attempt: js.attempt, eventSeq: js.eventSeq };
  const lines = logLines(events, js, now);
  if (outcome === null) {
    if (!(await uow.tx.jobstates.update(js.id, { ...alongside, updatedAt: now }, fence))) return false;
    if (lines.length > 0) await appendCapped(ctx, uow, js, lines);
    return true;
  }
  const kept = lines.length > 0 ? await capped(ctx, uow, js, lines) : [];
  return endJobstate(ctx, uow, { ...js, ...alongside }, { ...outcome, lines: kept, alongside }, fence);
}

/** The latest progress event of a batch, as the jobstate keeps it; nothing when it has none. */
function progressOf(
  events: readonly AgentEventInput[],
  js: Jobstate,
  now: number,
): { progress?: Jobstate['progress'] } {
  const last = events.findLast((e) => e.type === 'progress');
  if (last?.type !== 'progress') return {};
  return { progress: { percent: last.percent, message: last.message ?? null, at: eventTime(last.ts, js, now) } };
}

/**
 * Appends under the per-jobstate cap: past it one marker line is written (it is line
 * cap + 1, so a stored count above the cap means the marker is there) and the rest dropped.
 */
async function appendCapped(ctx: EngineContext, uow: UnitOfWork, js: Jobstate, lines: LogLine[]): Promise<void> {
  const kept = await capped(ctx, uow, js, lines);
  if (kept.length > 0) await uow.tx.logs.append(js.id, js.attempt, kept);
}

/** The lines of `lines` the cap leaves room for, with the marker when some are dropped. */
async function capped(ctx: EngineContext, uow: UnitOfWork, js: Jobstate, lines: LogLine[]): Promise<LogLine[]> {
  const cap = ctx.options.maxLogLinesPerJobstate;
  const stored = await uow.reads.logCount(js.id);
  if (stored > cap) return [];
  const room = cap - stored;
  const kept = lines.slice(0, room);
  if (lines.length > room) {
    kept.push({ ts: ctx.clock.now(), stream: 'info', line: `[log truncated after ${cap} lines]` });
  }
  return kept;
}

function logLines(events: readonly AgentEventInput[], js: Jobstate, now: number): LogLine[] {
  return events.flatMap((e) =>
    e.type === 'log' ? [{ ts: eventTime(e.ts, js, now), stream: e.stream, line: e.line }] : [],
  );
}

/** The agent's time of an event, kept between the job's start and now: agent clocks drift. */
function eventTime(ts: number, js: Jobstate, now: number): number {
  return Math.min(now, Math.max(js.startedAt ?? now, ts));
}

/** The agent's outcome as the module's server half digests it (`accept`), when it has one. */
async function accepted(ctx: EngineContext, js: Jobstate, event: EndEvent): Promise<AgentOutcome> {
  const ok = event.type === 'finished';
  const given = event.reason as JobstateReason | undefined;
  const reason = given && AGENT_REASONS.includes(given) ? given : ok ? undefined : 'module_failed';
  const outcome: AgentOutcome = { ok, result: event.result ?? null, ...(reason ? { reason } : {}) };
  const module = ctx.modules.get(js.module);
  if (!module?.accept) return outcome;
  try {
    return await module.accept({
      params: js.params,
      jobstate: js,
      services: ctx.services(js.orgId),
      agentId: js.agentId as string,
      outcome,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      reason: 'module_failed',
      result: { error: `the server could not accept the result: ${message}` },
    };
  }
}

function uniqueBySeq(events: readonly AgentEventInput[]): AgentEventInput[] {
  const bySeq = new Map<number, AgentEventInput>();
  for (const event of events) if (!bySeq.has(event.seq)) bySeq.set(event.seq, event);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
