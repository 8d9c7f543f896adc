import type { Clock } from '../core/clock.ts';
import { formatDuration } from '../core/duration.ts';
import type { Jobstate } from '../core/model.ts';
import type { EngineContext } from './context.ts';
import { reportOutcome } from './outcomes.ts';

/**
 * A chunk this node runs, as far as its job's timeout goes: the jobstate as claimed, its
 * lease owner, the monotonic time of the claim, and the monotonic time its timeout ends
 * (the claim + the timeout - what earlier chunks ran, Jobstate.elapsedMs).
 */
export interface TimedChunk {
  js: Jobstate;
  owner: string;
  controller: AbortController;
  claimedAt: number;
  timeoutAt: number;
}

/** How long the chunk's job has run in all: its earlier chunks, and this one until now. */
export function elapsedOf(clock: Clock, chunk: TimedChunk): number {
  return chunk.js.elapsedMs + Math.round(clock.monotonic() - chunk.claimedAt);
}

/**
 * Ends the chunks whose job ran past its timeout on this node's monotonic clock: `error`
 * reason timeout (retried per policy), fenced on the chunk's lease, then the chunk is
 * stopped (it only writes its log lines then). Returns how many ended.
 */
export async function endTimedOut(ctx: EngineContext, chunks: Iterable<TimedChunk>): Promise<number> {
  const now = ctx.clock.monotonic();
  let ended = 0;
  for (const chunk of [...chunks]) {
    if (now < chunk.timeoutAt || chunk.controller.signal.aborted) continue;
    const { js, owner } = chunk;
    const result = { error: `ran longer than its timeout of ${formatDuration(js.timeoutSeconds)}` };
    const outcome = { ok: false, reason: 'timeout', result, elapsedMs: elapsedOf(ctx.clock, chunk) } as const;
    if (await reportOutcome(ctx, js, outcome, { status: ['running'], leaseOwner: owner })) ended++;
    chunk.controller.abort('ended');
  }
  return ended;
}

/** Milliseconds until the first timeout of these chunks (those not stopped yet) ends, monotonic; null when none. */
export function nextTimeoutIn(clock: Clock, chunks: Iterable<TimedChunk>): number | null {
  let first = Number.POSITIVE_INFINITY;
  for (const chunk of chunks) if (!chunk.controller.signal.aborted) first = Math.min(first, chunk.timeoutAt);
  return first === Number.POSITIVE_INFINITY ? null : Math.max(0, first - clock.monotonic());
}
