import { type Kysely, type Migration, sql } from 'kysely';
import { GLOBAL_ORG_ID } from '../../core/global-tasks.ts';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * Global tasks (0021 on every backend): the reserved org that holds them (core/global-tasks.ts;
 * its name cannot be an org's, whose names start with a letter or digit), each org's opt-in
 * to see them read-only, and the record of what a fresh install was seeded with, so a
 * default the admin deleted or changed is never created again.
 */
export function globalTasksMigration({ text, integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('orgs')
        .addColumn('show_global_tasks', integer, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('seeded_defaults')
        .addColumn('name', text, (c) => c.primaryKey())
        .addColumn('seeded_at', integer, (c) => c.notNull())
        .execute();
      await sql`INSERT INTO orgs (id, name, created_at) VALUES (${GLOBAL_ORG_ID}, '(global)', ${Date.now()})`.execute(
        db,
      );
    },
  };
}
