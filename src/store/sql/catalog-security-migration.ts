import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * 0006_catalog_security (every backend; each passes its column types), issue 12:
 * - commands.defined_by_admin: only entries the global admin wrote run on the server. Every
 *   global row is his (only he could write one). An org's row cannot tell who wrote it, so it
 *   is not trusted: an org server command from before this rule runs no more until the admin
 *   defines it again (POST /api/v1/commands?org=…).
 * - housekeeping prunes one org's runs at a time: runs_ended (every org's ended runs) gives
 *   way to the same expression per org.
 */
export function catalogSecurityMigration({ integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('commands')
        .addColumn('defined_by_admin', integer, (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`update commands set defined_by_admin = 1 where org_id is null`.execute(db);
      await db.schema.dropIndex('runs_ended').ifExists().execute();
      await sql`create index runs_org_ended on runs (org_id, coalesce(finished_at, created_at))
        where status not in ('pending', 'running')`.execute(db);
    },
  };
}
