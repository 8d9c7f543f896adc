import { type EngineContext, withTx } from './context.ts';
import { type OutcomeFence, reportOutcome } from './outcomes.ts';

const BATCH = 200;

/**
 * Ends what overstayed: running jobstates past their timeout end `error` reason timeout
 * (then retry per policy), agent jobstates prepared longer than their task's expireAfter
 * end `error` reason expired (their agent never came), and server jobstates whose lease
 * lapsed — their node died or stalled — are recovered. Returns how many jobstates changed.
 */
export async function sweep(ctx: EngineContext): Promise<number> {
  const now = ctx.clock.now();
  let changed = 0;
  for (const js of await ctx.store.jobstates.listTimedOut(now, BATCH)) {
    ctx.abortLocal([js.id]);
    const result = { error: `ran longer than its timeout of ${js.timeoutSeconds}s` };
    if (await reportOutcome(ctx, js, { ok: false, reason: 'timeout', result }, { status: ['running'] })) changed++;
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
 * node that is gone. With a checkpoint they go back to `prepared` and resume from it (iTop's
 * paused actions); without one they end `error` reason interrupted and retry per policy.
 * Either way the old lease owner is fenced out: its late writes name a lease it lost.
 */
export async function recoverOrphans(ctx: EngineContext, leaseEndBefore: number): Promise<number> {
  let changed = 0;
  for (const js of await ctx.store.jobstates.listLeaseExpired(leaseEndBefore, BATCH)) {
    // Its lease must still have lapsed when the write lands: an owner that was only stalled
    // (a paused VM, a SIGSTOP) and renewed it after the listing keeps its job.
    const fence: OutcomeFence = { status: ['running'], leaseOwner: js.leaseOwner, leaseExpiredBefore: leaseEndBefore };
    if (js.checkpoint === null || js.checkpoint === undefined) {
      const result = { error: `interrupted: node lease ${js.leaseOwner ?? '?'} lapsed` };
      if (await reportOutcome(ctx, js, { ok: false, reason: 'interrupted', result }, fence)) changed++;
      continue;
    }
    const resumed = await withTx(ctx, async (tx, emit) => {
      const now = ctx.clock.now();
      const patch = {
        status: 'prepared',
        reason: 'interrupted',
        leaseOwner: null,
        leaseExpiresAt: null,
        updatedAt: now,
      } as const;
      if (!(await tx.jobstates.update(js.id, patch, { ...fence, attempt: js.attempt }))) return false;
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
