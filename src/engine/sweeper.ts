import { formatDuration } from '../core/duration.ts';
import { moveJobstate } from '../core/lifecycle.ts';
import { stopProgramOf } from './command-processes.ts';
import { type EngineContext, withTx } from './context.ts';
import { gaveUpResult } from './late-reports.ts';
import { type OutcomeFence, reportOutcome } from './outcomes.ts';
import { closeWindows } from './window-close.ts';

const BATCH = 200;

/**
 * Ends what overstayed, in database time (any node may sweep): jobstates whose task window
 * closed move on (closeWindows), running agent jobstates
 * whose agent reported nothing by their timeout plus the grace (agentGraceMs, counted from
 * the claim) end `error` reason timeout (then retry per policy; the agent's late report is
 * still heard, agent-events.ts), agent jobstates prepared longer than their task's
 * expireAfter end `error` reason expired (their agent never came), and server jobstates
 * whose lease lapsed — their node died or stalled — are recovered. A running server
 * jobstate's timeout is not swept: the node running it measures it (executor.ts). Returns
 * how many jobstates changed.
 */
export async function sweep(ctx: EngineContext): Promise<number> {
  const now = ctx.clock.now();
  const graceMs = ctx.options.agentGraceMs;
  let changed = await closeWindows(ctx);
  for (const js of await ctx.store.jobstates.listTimedOut(now - graceMs, BATCH)) {
    const error =
      `no outcome from its agent within its timeout of ${formatDuration(js.timeoutSeconds)} ` +
      `and a grace of ${formatDuration(Math.round(graceMs / 1000))}`;
    const outcome = { ok: false, reason: 'timeout', result: gaveUpResult(error) } as const;
    if (await reportOutcome(ctx, js, outcome, { status: ['running'] })) changed++;
  }
  for (const js of await ctx.store.jobstates.listPreparedExpired(now, BATCH)) {
    const result = { error: 'its agent did not come for it before the task’s expireAfter' };
    if (await reportOutcome(ctx, js, { ok: false, reason: 'expired', result }, { status: ['prepared'] })) changed++;
  }
  changed += await recoverOrphans(ctx, now);
  return changed;
}

/**
 * Server jobstates running under a lease that ended before `leaseEndBefore` belong to a
 * node that is gone (its program, if it ran on this machine, is killed first). With a checkpoint they go back to `prepared` and resume from it (iTop's
 * paused actions); without one they end `error` reason interrupted and retry per policy.
 * Either way the old lease owner is fenced out: its late writes name a lease it lost.
 */
export async function recoverOrphans(ctx: EngineContext, leaseEndBefore: number): Promise<number> {
  let changed = 0;
  for (const js of await ctx.store.jobstates.listLeaseExpired(leaseEndBefore, BATCH)) {
    await stopProgramOf(ctx, js);
    // Its lease must still have lapsed when the write lands: an owner that was only stalled
    // (a paused VM, a SIGSTOP) and renewed it after the listing keeps its job.
    const fence: OutcomeFence = { status: ['running'], leaseOwner: js.leaseOwner, leaseExpiredBefore: leaseEndBefore };
    if (js.checkpoint === null || js.checkpoint === undefined) {
      const result = { error: `interrupted: node lease ${js.leaseOwner ?? '?'} lapsed` };
      if (await reportOutcome(ctx, js, { ok: false, reason: 'interrupted', result }, fence)) changed++;
      continue;
    }
    const resumed = await withTx(ctx, async ({ tx, emit, now }) => {
      const { patch, guard } = moveJobstate(
        'prepared',
        { reason: 'interrupted', leaseOwner: null, leaseExpiresAt: null, updatedAt: now } as const,
        fence.status,
      );
      if (!(await tx.jobstates.update(js.id, patch, { ...fence, status: guard, attempt: js.attempt }))) return false;
      await tx.logs.append(js.id, js.attempt, [
        { ts: now, stream: 'info', line: 'the node running this job stopped; resuming from its last checkpoint' },
      ]);
      emit({ type: 'jobstate', jobstate: { ...js, ...patch } });
      return true;
    });
    if (resumed) changed++;
  }
  return changed;
}
