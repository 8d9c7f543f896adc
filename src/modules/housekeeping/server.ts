/**
 * Server half of `housekeeping`: deletes old log lines, then old finished runs, a chunk at
 * a time (iTop's chunked background tasks). Before each chunk it lets the event loop turn
 * when it has worked for a while (busyTurn: the store may answer synchronously, and
 * deleting for seconds must not starve HTTP), checks
 * the deadline and the abort signal, and hands back a checkpoint so the engine resumes it
 * later, also after a crash; deleting is idempotent, so a resumed job only has to keep its counters.
 */
import { busyTurn, type ExecuteOutcome, type ServerJobContext } from '../sdk.ts';
import type { HousekeepingParams } from './schema.ts';

type Phase = 'logs' | 'runs';

export interface HousekeepingCheckpoint {
  phase: Phase;
  deletedLogs: number;
  deletedRuns: number;
}

export async function executeHousekeeping(ctx: ServerJobContext<HousekeepingParams>): Promise<ExecuteOutcome> {
  const { keepLogs, keepRuns, chunk } = ctx.params;
  const now = ctx.clock.now();
  const logsBefore = now - keepLogs * 1000;
  const runsBefore = now - keepRuns * 1000;
  const { retention } = ctx.services;
  const state = resumeFrom(ctx);

  for (;;) {
    await busyTurn();
    if (ctx.signal.aborted || ctx.clock.now() >= ctx.deadline) {
      ctx.log(`paused after ${state.deletedLogs} log lines and ${state.deletedRuns} runs; resuming later`, 'info');
      return { done: false, checkpoint: { ...state } };
    }
    if (state.phase === 'logs') {
      const deleted = await retention.pruneLogs(logsBefore, chunk);
      state.deletedLogs += deleted;
      // A short chunk means nothing older is left; new lines are never older than the cutoff.
      if (deleted < chunk) state.phase = 'runs';
    } else {
      const deleted = await retention.pruneRuns(runsBefore, chunk);
      state.deletedRuns += deleted;
      if (deleted < chunk) break;
    }
  }
  ctx.log(`pruned ${state.deletedLogs} log lines older than ${new Date(logsBefore).toISOString()}`, 'info');
  ctx.log(`pruned ${state.deletedRuns} runs finished before ${new Date(runsBefore).toISOString()}`, 'info');
  return { done: true, ok: true, result: { deletedRuns: state.deletedRuns, deletedLogs: state.deletedLogs } };
}

/** The checkpoint of the previous chunk, or a fresh start. */
function resumeFrom(ctx: ServerJobContext<HousekeepingParams>): HousekeepingCheckpoint {
  const fresh: HousekeepingCheckpoint = { phase: 'logs', deletedLogs: 0, deletedRuns: 0 };
  if (ctx.checkpoint === undefined || ctx.checkpoint === null) return fresh;
  if (isCheckpoint(ctx.checkpoint)) return { ...ctx.checkpoint };
  // Deleting again from the start is harmless; only the counters of the earlier chunks are lost.
  ctx.log('unreadable checkpoint, starting over', 'info');
  return fresh;
}

function isCheckpoint(value: unknown): value is HousekeepingCheckpoint {
  const cp = value as Partial<HousekeepingCheckpoint> | null;
  return (
    typeof cp === 'object' &&
    cp !== null &&
    (cp.phase === 'logs' || cp.phase === 'runs') &&
    Number.isSafeInteger(cp.deletedLogs) &&
    Number.isSafeInteger(cp.deletedRuns)
  );
}
