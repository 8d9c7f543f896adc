import type { JobstateRepo } from '../../core/ports/store.ts';
import { atomic, clampLimit, type SqlContext } from './context.ts';
import { toJobstate } from './rows.ts';

type ClaimMethods = Pick<
  JobstateRepo,
  | 'listDueWaiting'
  | 'claimServer'
  | 'claimForAgent'
  | 'renewLeases'
  | 'listTimedOut'
  | 'listLeaseExpired'
  | 'listPreparedExpired'
  | 'nextWakeAt'
>;

/** The time-driven queries of the jobstate repo: what is due, what to claim, what ran out of time. */
export function jobstateClaims(ctx: SqlContext): ClaimMethods {
  const { db, capabilities } = ctx;
  return {
    async listDueWaiting(now, limit) {
      const rows = await db
        .selectFrom('jobstates')
        .innerJoin('runs', 'runs.id', 'jobstates.run_id')
        .selectAll('jobstates')
        .where('jobstates.status', '=', 'waiting')
        .where('runs.status', '=', 'running')
        .where('jobstates.due_at', '<=', now)
        .orderBy('jobstates.due_at')
        .orderBy('jobstates.id')
        .limit(clampLimit(limit))
        .execute();
      return rows.map(toJobstate);
    },

    /**
     * Select then update in one transaction: SKIP LOCKED keeps concurrent claimers apart where
     * the backend has it, SQLite's single writer does otherwise. started_at keeps the first
     * start, so a chunked job's timeout counts from when it really began.
     */
    async claimServer(owner, now, leaseUntil, limit) {
      return atomic(ctx, async (tx) => {
        const picked = await tx
          .selectFrom('jobstates')
          .select('id')
          .where('status', '=', 'prepared')
          .where('runner', '=', 'server')
          .orderBy((eb) => eb.fn.coalesce('due_at', eb.lit(0)))
          .orderBy((eb) => eb.fn.coalesce('prepared_at', eb.lit(0)))
          .orderBy('id')
          .limit(clampLimit(limit))
          .$if(capabilities.skipLocked, (q) => q.forUpdate().skipLocked())
          .execute();
        if (picked.length === 0) return [];
        const ids = picked.map((row) => row.id);
        const rows = await tx
          .updateTable('jobstates')
          .set((eb) => ({
            status: 'running',
            lease_owner: owner,
            lease_expires_at: leaseUntil,
            started_at: eb.fn.coalesce('started_at', eb.val(now)),
            updated_at: now,
          }))
          .where('id', 'in', ids)
          .where('status', '=', 'prepared')
          .returningAll()
          .execute();
        const rank = new Map(ids.map((id, i) => [id, i]));
        return rows.map(toJobstate).sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
      });
    },

    /** Same shape as claimServer; an agent job never checkpoints, so each claim is a fresh start. */
    async claimForAgent(agentId, now, limit) {
      return atomic(ctx, async (tx) => {
        const picked = await tx
          .selectFrom('jobstates')
          .select('id')
          .where('agent_id', '=', agentId)
          .where('status', '=', 'prepared')
          .where('runner', '=', 'agent')
          .orderBy('prepared_at')
          .orderBy('id')
          .limit(clampLimit(limit))
          .$if(capabilities.skipLocked, (q) => q.forUpdate().skipLocked())
          .execute();
        if (picked.length === 0) return [];
        const ids = picked.map((row) => row.id);
        const rows = await tx
          .updateTable('jobstates')
          .set({ status: 'running', started_at: now, event_seq: 0, progress: null, updated_at: now })
          .where('id', 'in', ids)
          .where('status', '=', 'prepared')
          .returningAll()
          .execute();
        const rank = new Map(ids.map((id, i) => [id, i]));
        return rows.map(toJobstate).sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
      });
    },

    async renewLeases(owner, ids, leaseUntil) {
      if (ids.length === 0) return [];
      const rows = await db
        .updateTable('jobstates')
        .set({ lease_expires_at: leaseUntil })
        .where('id', 'in', ids)
        .where('status', '=', 'running')
        .where('lease_owner', '=', owner)
        .returning('id')
        .execute();
      return rows.map((row) => row.id).sort();
    },

    async listTimedOut(now, limit) {
      const rows = await db
        .selectFrom('jobstates')
        .selectAll()
        .where('status', '=', 'running')
        .where((eb) => eb(eb('started_at', '+', eb('timeout_seconds', '*', 1000)), '<=', now))
        .orderBy('started_at')
        .orderBy('id')
        .limit(clampLimit(limit))
        .execute();
      return rows.map(toJobstate);
    },

    async listLeaseExpired(now, limit) {
      const rows = await db
        .selectFrom('jobstates')
        .selectAll()
        .where('status', '=', 'running')
        .where('runner', '=', 'server')
        .where('lease_expires_at', '<', now)
        .orderBy('lease_expires_at')
        .orderBy('id')
        .limit(clampLimit(limit))
        .execute();
      return rows.map(toJobstate);
    },

    async listPreparedExpired(now, limit) {
      const rows = await db
        .selectFrom('jobstates')
        .innerJoin('tasks', 'tasks.id', 'jobstates.task_id')
        .selectAll('jobstates')
        .where('jobstates.status', '=', 'prepared')
        .where('jobstates.runner', '=', 'agent')
        .where((eb) => eb(eb('jobstates.prepared_at', '+', eb('tasks.expire_after_seconds', '*', 1000)), '<=', now))
        .orderBy('jobstates.prepared_at')
        .orderBy('jobstates.id')
        .limit(clampLimit(limit))
        .execute();
      return rows.map(toJobstate);
    },

    async nextWakeAt() {
      const [due, timeout, lease] = await Promise.all([
        db
          .selectFrom('jobstates')
          .innerJoin('runs', 'runs.id', 'jobstates.run_id')
          .select((eb) => eb.fn.min('jobstates.due_at').as('at'))
          .where('jobstates.status', '=', 'waiting')
          .where('runs.status', '=', 'running')
          .executeTakeFirst(),
        db
          .selectFrom('jobstates')
          .select((eb) => eb.fn.min(eb('started_at', '+', eb('timeout_seconds', '*', 1000))).as('at'))
          .where('status', '=', 'running')
          .executeTakeFirst(),
        db
          .selectFrom('jobstates')
          .select((eb) => eb.fn.min('lease_expires_at').as('at'))
          .where('status', '=', 'running')
          .executeTakeFirst(),
      ]);
      const times = [due?.at, timeout?.at, lease?.at].filter((at) => at != null).map(Number);
      return times.length === 0 ? null : Math.min(...times);
    },
  };
}
