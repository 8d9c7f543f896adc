/**
 * Server half of `housekeeping`: deletes old log lines, then old finished runs, then the
 * org's uploaded package files no package uses (past the `keepUploads` grace), a chunk at
 * a time (iTop's chunked background tasks), and last the stored bytes no org records any
 * more. Before each chunk it lets the event loop turn when it has worked for a while
 * (busyTurn: the store may answer synchronously, and deleting for seconds must not starve
 * HTTP), checks the deadline and the abort signal, and hands back a checkpoint so the
 * engine resumes it later, also after a crash; deleting is idempotent, so a resumed job
 * only has to keep its counters.
 */
import { busyTurn, type ExecuteOutcome, type ServerJobContext } from '../sdk/index.ts';
import type { HousekeepingParams } from './schema.ts';

const PHASES = ['logs', 'runs', 'files', 'orphans'] as const;
type Phase = (typeof PHASES)[number];

export interface HousekeepingCheckpoint {
  phase: Phase;
  deletedLogs: number;
  deletedRuns: number;
  deletedFiles: number;
}

export async function executeHousekeeping(ctx: ServerJobContext<HousekeepingParams>): Promise<ExecuteOutcome> {
  const { keepLogs, keepRuns, keepUploads, chunk } = ctx.params;
  const now = ctx.clock.now();
  const logsBefore = now - keepLogs * 1000;
  const runsBefore = now - keepRuns * 1000;
  const uploadsBefore = now - keepUploads * 1000;
  const { retention, packages } = ctx.services;
  const state = resumeFrom(ctx);

  for (;;) {
    await busyTurn();
    if (ctx.signal.aborted || ctx.clock.monotonic() >= ctx.deadline) {
      ctx.log(
        `paused after ${state.deletedLogs} log lines, ${state.deletedRuns} runs and ${state.deletedFiles} package files; resuming later`,
        'info',
      );
      return { done: false, checkpoint: { ...state } };
    }
    // A short chunk means nothing older is left; new rows are never older than the cutoff.
    if (state.phase === 'logs') {
      const deleted = await retention.pruneLogs(logsBefore, chunk);
      state.deletedLogs += deleted;
      if (deleted < chunk) state.phase = 'runs';
    } else if (state.phase === 'runs') {
      const deleted = await retention.pruneRuns(runsBefore, chunk);
      state.deletedRuns += deleted;
      if (deleted < chunk) state.phase = 'files';
    } else if (state.phase === 'files') {
      const deleted = await packages.pruneUnreferencedFiles(uploadsBefore, chunk);
      state.deletedFiles += deleted;
      if (deleted < chunk) state.phase = 'orphans';
    } else {
      const deleted = await packages.deleteOrphanFiles(uploadsBefore);
      ctx.log(`deleted ${deleted} stored package files no org uses any more`, 'info');
      break;
    }
  }
  ctx.log(`pruned ${state.deletedLogs} log lines older than ${new Date(logsBefore).toISOString()}`, 'info');
  ctx.log(`pruned ${state.deletedRuns} runs finished before ${new Date(runsBefore).toISOString()}`, 'info');
  ctx.log(
    `pruned ${state.deletedFiles} package files uploaded before ${new Date(uploadsBefore).toISOString()} that no package uses`,
    'info',
  );
  const { deletedRuns, deletedLogs, deletedFiles } = state;
  return { done: true, ok: true, result: { deletedRuns, deletedLogs, deletedFiles } };
}

/** The checkpoint of the previous chunk, or a fresh start. */
function resumeFrom(ctx: ServerJobContext<HousekeepingParams>): HousekeepingCheckpoint {
  const fresh: HousekeepingCheckpoint = { phase: 'logs', deletedLogs: 0, deletedRuns: 0, deletedFiles: 0 };
  if (ctx.checkpoint === undefined || ctx.checkpoint === null) return fresh;
  if (isCheckpoint(ctx.checkpoint)) return { ...ctx.checkpoint, deletedFiles: ctx.checkpoint.deletedFiles ?? 0 };
  // Deleting again from the start is harmless; only the counters of the earlier chunks are lost.
  ctx.log('unreadable checkpoint, starting over', 'info');
  return fresh;
}

/** `deletedFiles` may be missing: a checkpoint written before package files were pruned. */
function isCheckpoint(
  value: unknown,
): value is Partial<HousekeepingCheckpoint> & Omit<HousekeepingCheckpoint, 'deletedFiles'> {
  const cp = value as Partial<HousekeepingCheckpoint> | null;
  return (
    typeof cp === 'object' &&
    cp !== null &&
    PHASES.includes(cp.phase as Phase) &&
    Number.isSafeInteger(cp.deletedLogs) &&
    Number.isSafeInteger(cp.deletedRuns) &&
    (cp.deletedFiles === undefined || Number.isSafeInteger(cp.deletedFiles))
  );
}
