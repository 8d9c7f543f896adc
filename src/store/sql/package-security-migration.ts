import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * 0007 on every backend (each passes its column types): the org settings only the global
 * admin writes — the folders packages may extract to on agents (a JSON list) and the
 * bytes its package files may take (null = the server's default) — and the indexes that
 * housekeeping's search for unused package files reads.
 */
export function packageSecurityMigration({ text, integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('orgs')
        .addColumn('extract_prefixes', text, (c) => c.notNull().defaultTo(sql`'[]'`))
        .execute();
      await db.schema.alterTable('orgs').addColumn('package_quota', integer).execute();
      await db.schema.createIndex('package_files_sha256').on('package_files').column('sha256').execute();
      await db.schema.createIndex('packages_file').on('packages').columns(['org_id', 'sha256']).execute();
    },
  };
}
