/** Server half of `noop`: one chunk per execute, optional sleep and scripted failures. */
import type { ExecuteOutcome, ServerJobContext } from '../sdk/index.ts';
import type { NoopParams } from './schema.ts';

export async function executeNoop(ctx: ServerJobContext<NoopParams>): Promise<ExecuteOutcome> {
  const { chunks, failTimes, sleepMs, log, retried } = ctx.params;
  const { attempt } = ctx.jobstate;
  if (attempt <= failTimes) {
    ctx.log(`failing attempt ${attempt} of the first ${failTimes}, as asked`, 'info');
    return { done: true, ok: false, reason: 'module_failed', result: { attempt } };
  }
  const before = chunksDone(ctx.checkpoint);
  if (sleepMs > 0) await ctx.clock.sleep(sleepMs, ctx.signal);
  // Interrupted mid-chunk: the chunk does not count, the engine resumes (or ends) from the checkpoint.
  if (ctx.signal.aborted) return { done: false, checkpoint: { done: before } };
  if (log !== undefined) ctx.log(log, 'stdout');
  const done = before + 1;
  ctx.log(`chunk ${done}/${chunks}`, 'info');
  if (done < chunks) return { done: false, checkpoint: { done } };
  return { done: true, ok: true, result: { chunks: done, attempt, ...(retried ? { retried } : {}) } };
}

function chunksDone(checkpoint: unknown): number {
  const done = (checkpoint as { done?: unknown } | null | undefined)?.done;
  return typeof done === 'number' && Number.isSafeInteger(done) && done >= 0 ? done : 0;
}
