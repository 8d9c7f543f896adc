import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * Late joiners (0018 on every backend): a run's join window (`join_until`, and `join_open`
 * while it has not closed), a late joiner's jobstates marked (`late_join`), and one late
 * jobstate per (run, job, agent) at most, which the database enforces: two contacts of one
 * agent, on two nodes, can never both add it.
 */
export function lateJoinMigration({ integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('runs').addColumn('join_until', integer).execute();
      await db.schema
        .alterTable('runs')
        .addColumn('join_open', integer, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('jobstates')
        .addColumn('late_join', integer, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('runs_join_open').on('runs').columns(['join_open', 'org_id']).execute();
      // Over late joiners' rows: a run's own jobstates are written with its window, in one
      // transaction, and a joiner skips the jobs it has one of (engine/late-join.ts).
      await db.schema
        .createIndex('jobstates_late_join_once')
        .on('jobstates')
        .columns(['run_id', 'job_index', 'agent_id'])
        .unique()
        .where(sql.ref('late_join'), '=', sql.lit(1))
        .execute();
    },
  };
}
