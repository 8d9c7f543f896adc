import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * Each node's clock offset to the database's, as the node last measured it with its
 * heartbeat (`clock_offset_ms`: its own clock minus the database's; null where the store
 * has no clock of its own, and for rows written before), so a node whose clock is off shows.
 */
export function nodeClockMigration({ integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('nodes').addColumn('clock_offset_ms', integer).execute();
    },
  };
}
