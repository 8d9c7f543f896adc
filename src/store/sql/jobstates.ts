import type { Kysely } from 'kysely';
import { moveJobstate } from '../../core/lifecycle.ts';
import { JOBSTATE_STATUSES, type JobstateStatus } from '../../core/model.ts';
import type { JobstateCounts, JobstateRepo } from '../../core/ports/store.ts';
import { atomic, clampLimit, pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { jobstateClaims } from './jobstate-claims.ts';
import { jobstatePatchRow } from './patches.ts';
import { jobstateRow, toJobstate } from './rows.ts';
import type { Database } from './schema.ts';

/** Rows per INSERT: 26 columns each stays far below SQLite's and PostgreSQL's parameter limits. */
const INSERT_CHUNK = 200;

export function jobstateRepo(ctx: SqlContext): JobstateRepo {
  const { db } = ctx;
  return {
    async insertMany(jobstates) {
      if (jobstates.length === 0) return;
      const rows = jobstates.map(jobstateRow);
      await writing(ctx, 'jobstate', () =>
        atomic(ctx, async (tx: Kysely<Database>) => {
          for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
            await tx
              .insertInto('jobstates')
              .values(rows.slice(i, i + INSERT_CHUNK))
              .execute();
          }
        }),
      );
    },

    async get(id) {
      const row = await db.selectFrom('jobstates').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toJobstate(row) : null;
    },

    async listByRun(runId, page) {
      const { after, limit } = pageWindow(page);
      const rows = await db
        .selectFrom('jobstates')
        .selectAll()
        .where('run_id', '=', runId)
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toJobstate);
    },

    async allOfRun(runId) {
      const rows = await db
        .selectFrom('jobstates')
        .selectAll()
        .where('run_id', '=', runId)
        .orderBy('job_index')
        .orderBy('id')
        .execute();
      return rows.map(toJobstate);
    },

    async update(id, patch, fence) {
      if (fence?.status?.length === 0) return false;
      const result = await db
        .updateTable('jobstates')
        .set(jobstatePatchRow(patch))
        .where('id', '=', id)
        .$if(fence?.status !== undefined, (q) => q.where('status', 'in', fence?.status as string[]))
        .$if(fence?.attempt !== undefined, (q) => q.where('attempt', '=', fence?.attempt as number))
        .$if(fence?.leaseOwner === null, (q) => q.where('lease_owner', 'is', null))
        .$if(typeof fence?.leaseOwner === 'string', (q) => q.where('lease_owner', '=', fence?.leaseOwner as string))
        .$if(fence?.leaseExpiredBefore !== undefined, (q) =>
          q.where('lease_expires_at', '<', fence?.leaseExpiredBefore as number),
        )
        .$if(fence?.eventSeq !== undefined, (q) => q.where('event_seq', '=', fence?.eventSeq as number))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Ending a jobstate also drops its lease, so a server executor still holding it loses its fence. */
    async endOpenOfRun(runId, status, reason, at) {
      const end = moveJobstate(status, {
        reason,
        finished_at: at,
        updated_at: at,
        lease_owner: null,
        lease_expires_at: null,
      });
      const rows = await db
        .updateTable('jobstates')
        .set(end.patch)
        .where('run_id', '=', runId)
        .where('status', 'in', end.guard)
        .returning('id')
        .execute();
      return rows.map((row) => row.id).sort();
    },

    countsByRun(runId) {
      return countByStatus(db, { runId });
    },

    countByStatus(opts = {}) {
      return countByStatus(db, opts);
    },

    /**
     * Two locks, for two races. The (org, module) name lock makes two transactions that
     * check the same serial module take turns, so both cannot find it free and both
     * prepare a job. Busy rows are read one by one rather than counted, to share-lock them:
     * a serial job checked while the busy one ends on another connection would otherwise
     * be parked after that end's wake went by, and wait for its late recheck.
     */
    async countBusy(orgId, module) {
      if (db.isTransaction) await ctx.lockName?.(db, `taskwarden:busy:${orgId}:${module}`);
      const rows = await db
        .selectFrom('jobstates')
        .select('id')
        .where('org_id', '=', orgId)
        .where('module', '=', module)
        .where('status', 'in', ['prepared', 'running'])
        .$if(ctx.capabilities.rowLocks && db.isTransaction, (q) => q.forShare())
        .execute();
      return rows.length;
    },

    async getShared(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('jobstates')
        .selectAll()
        .where('id', 'in', ids)
        .orderBy('id')
        .$if(ctx.capabilities.rowLocks && db.isTransaction, (q) => q.forShare())
        .execute();
      return rows.map(toJobstate);
    },

    async listForAgent(agentId, filter, limit) {
      if (filter.statuses.length === 0) return [];
      const rows = await db
        .selectFrom('jobstates')
        .selectAll()
        .where('agent_id', '=', agentId)
        .where('status', 'in', filter.statuses as JobstateStatus[])
        .$if(filter.runner !== undefined, (q) => q.where('runner', '=', filter.runner as string))
        .$if(filter.runId !== undefined, (q) => q.where('run_id', '=', filter.runId as string))
        .orderBy('id')
        .limit(clampLimit(limit))
        .execute();
      return rows.map(toJobstate);
    },

    async advanceEventSeq(id, attempt, from, to, at) {
      const result = await db
        .updateTable('jobstates')
        .set({ event_seq: to, updated_at: at })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('attempt', '=', attempt)
        .where('event_seq', '=', from)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async wake(filter, now) {
      const result = await db
        .updateTable('jobstates')
        .set({ due_at: now, updated_at: now })
        .where('status', '=', 'waiting')
        .where((eb) => eb.or([eb('due_at', 'is', null), eb('due_at', '>', now)]))
        .where('reason', '=', filter.reason)
        .$if(filter.runId !== undefined, (q) => q.where('run_id', '=', filter.runId as string))
        .$if(filter.jobIndex !== undefined, (q) => q.where('job_index', '=', filter.jobIndex as number))
        .$if(filter.orgId !== undefined, (q) => q.where('org_id', '=', filter.orgId as string))
        .$if(filter.module !== undefined, (q) => q.where('module', '=', filter.module as string))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    ...jobstateClaims(ctx),
  };
}

async function countByStatus(
  db: Kysely<Database>,
  filter: { runId?: string; serverOnly?: boolean },
): Promise<JobstateCounts> {
  const rows = await db
    .selectFrom('jobstates')
    .select(['status', (eb) => eb.fn.countAll().as('n')])
    .$if(filter.runId !== undefined, (q) => q.where('run_id', '=', filter.runId as string))
    .$if(filter.serverOnly === true, (q) => q.where('runner', '=', 'server'))
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(JOBSTATE_STATUSES.map((s) => [s, 0])) as JobstateCounts;
  for (const row of rows) counts[row.status as keyof JobstateCounts] = Number(row.n);
  return counts;
}
