import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * Idempotency keys of run starts (0008 on every backend; each passes its column types): a
 * caller's key with the run its first request made. The primary key is what makes two
 * requests with one key start one run, on one node or many; a run deleted takes its keys
 * with it.
 */
export function idempotencyMigration({ text, integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('scope', text, (c) => c.notNull())
        .addColumn('key', text, (c) => c.notNull())
        .addColumn('request', text, (c) => c.notNull())
        .addColumn('run_id', text, (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('created_at', integer, (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
        .execute();
      await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
      await db.schema.createIndex('idempotency_keys_run').on('idempotency_keys').column('run_id').execute();
    },
  };
}
