import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * Shared calendars (0019 on every backend): an org's or global (org_key '', the rule of
 * commands and channels), unique by name in their scope; a task's `calendars` (JSON list
 * of names, '[]' for the tasks written before).
 */
export function calendarsMigration({ text, integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('tasks')
        .addColumn('calendars', text, (c) => c.notNull().defaultTo(sql`'[]'`))
        .execute();
      await db.schema
        .createTable('calendars')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('org_id', text, (c) => c.references('orgs.id'))
        .addColumn('org_key', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('blackouts', text, (c) => c.notNull())
        .addColumn('yearly', text, (c) => c.notNull())
        .addColumn('created_at', integer, (c) => c.notNull())
        .addColumn('updated_at', integer, (c) => c.notNull())
        .addUniqueConstraint('calendars_org_name', ['org_key', 'name'])
        .execute();
    },
  };
}
