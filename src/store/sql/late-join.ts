import { type Kysely, sql } from 'kysely';
import type { LateJoinRepo } from '../../core/ports/late-join.ts';
import { type Slots, Statement } from './compiled.ts';
import type { SqlContext } from './context.ts';
import { jobstateRow, toRun } from './rows.ts';
import type { Database } from './schema.ts';

const openWindowsOf = (db: Kysely<Database>) =>
  db.selectFrom('runs').where('join_open', '=', 1).where('status', '=', 'running');

/** Every contact asks for its org's runs open to late joiners. */
const openRunsOfOrg = new Statement((db, p: Slots<{ orgId: string; now: number }>) =>
  openWindowsOf(db).selectAll().where('org_id', '=', p('orgId')).where('join_until', '>', p('now')).orderBy('id'),
);

export function lateJoinRepo(ctx: SqlContext): LateJoinRepo {
  const { db } = ctx;
  const openWindows = () => openWindowsOf(db);
  return {
    async open(runId, until) {
      await db.updateTable('runs').set({ join_until: until, join_open: 1 }).where('id', '=', runId).execute();
    },

    async openRuns(orgId, now) {
      return (await openRunsOfOrg.rows(ctx, { orgId, now })).map(toRun);
    },

    async hold(runId, now) {
      // An update that changes nothing still locks the row until the transaction ends.
      const result = await db
        .updateTable('runs')
        .set((eb) => ({ join_open: eb.ref('join_open') }))
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .where('join_open', '=', 1)
        .where('join_until', '>', now)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async jobsOf(runId, agentId) {
      const rows = await db
        .selectFrom('jobstates')
        .select('job_index')
        .where('run_id', '=', runId)
        .where('agent_id', '=', agentId)
        .execute();
      return rows.map((row) => row.job_index);
    },

    async insert(jobstates) {
      const written: (typeof jobstates)[number][] = [];
      for (const js of jobstates) {
        const row = await db
          .insertInto('jobstates')
          .values({ ...jobstateRow(js), late_join: 1 })
          // The partial unique index (jobstates_late_join_once) refuses a second one.
          .onConflict((oc) => oc.doNothing())
          .returning('id')
          .executeTakeFirst();
        if (row) written.push(js);
      }
      return written;
    },

    async closeDue(now, limit) {
      const due = await openWindows().select('id').where('join_until', '<=', now).orderBy('id').limit(limit).execute();
      if (due.length === 0) return [];
      const rows = await db
        .updateTable('runs')
        .set({ join_open: 0 })
        .where(
          'id',
          'in',
          due.map((row) => row.id),
        )
        .where('join_open', '=', 1)
        .returningAll()
        .execute();
      return rows.map(toRun);
    },

    async nextCloseAt() {
      const row = await openWindows()
        .select((eb) => eb.fn.min('join_until').as('at'))
        .executeTakeFirst();
      return row?.at == null ? null : Number(row.at);
    },

    async joinedCount(runId) {
      const row = await db
        .selectFrom('jobstates')
        .select((eb) => eb.fn.count<number>('agent_id').distinct().as('n'))
        .where('run_id', '=', runId)
        // Literal, as the partial index's condition (literals.ts).
        .where('late_join', '=', sql.lit(1))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}
