import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * Each agent's IANA zone, for schedules in the agent's local time (issue 15): the one the
 * agent reports at enrolment and at each contact (`timezone`), and an administrator's
 * override (`timezone_override`), kept apart so the agent's next report never undoes it.
 */
export function agentTimezoneMigration({ text }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('agents').addColumn('timezone', text).execute();
      await db.schema.alterTable('agents').addColumn('timezone_override', text).execute();
    },
  };
}
