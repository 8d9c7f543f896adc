import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * Agents cannot be taken over by enrolling again (issue 12): the tags an agent asked for are
 * kept apart from the ones that target it (`requested_tags`), an administrator's leave to
 * enrol a device again has an end (`reenrol_until`, null = none), and the enrolment token an
 * agent came with is remembered (`enrolment_token_id`; null for agents enrolled before).
 * Wake URLs stored until now were never checked against the address their agent called
 * from: they are cleared, and each push agent gives its own again at its next contact.
 */
export function agentReenrolMigration({ text, integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('agents')
        .addColumn('requested_tags', text, (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema.alterTable('agents').addColumn('reenrol_until', integer).execute();
      await db.schema.alterTable('agents').addColumn('enrolment_token_id', text).execute();
      await sql`update agents set wake_url = null`.execute(db);
    },
  };
}
