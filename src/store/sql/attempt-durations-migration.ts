import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * 0012 on every backend (each passes its column types): how long a jobstate's current
 * attempt has run, summed over its chunks from the monotonic measures of the nodes that ran
 * them. A server job's timeout bounds it, so a clock jump between or during chunks does not
 * end the job. Rows written before start at 0.
 */
export function attemptDurationsMigration({ integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('jobstates')
        .addColumn('elapsed_ms', integer, (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
