import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * The nodes table (0004 on every backend; each passes its column types): one row per
 * server process that ever ran the engine on this store, with its last heartbeat, so
 * operators can see which nodes are alive.
 */
export function nodesMigration({ text, integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('nodes')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('hostname', text, (c) => c.notNull())
        .addColumn('pid', integer, (c) => c.notNull())
        .addColumn('version', text, (c) => c.notNull())
        .addColumn('started_at', integer, (c) => c.notNull())
        .addColumn('seen_at', integer, (c) => c.notNull())
        .addColumn('stopped_at', integer)
        .execute();
    },
  };
}
