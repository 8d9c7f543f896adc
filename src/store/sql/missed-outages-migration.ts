import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * A `missed` run records a whole outage of its task (0010 on every backend; each passes
 * its column types): how many firings were dropped and the last of them (fire_at is the
 * first). Runs written before hold one firing each and keep these null.
 */
export function missedOutagesMigration({ integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('runs').addColumn('missed_count', integer).execute();
      await db.schema.alterTable('runs').addColumn('missed_last_fire_at', integer).execute();
    },
  };
}
