import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * The agents migration (0002 on every backend; each passes its column types and its own
 * jobstate indexes): agents (unique per org and device id, found by the hash of their
 * secret), one row per agent tag for target queries, and enrolment tokens. Jobstates learn
 * who runs them (`runner`, fixed at creation), the last agent event seq applied to the
 * current attempt (`event_seq`, what makes resent events idempotent) and the latest
 * progress an agent reported.
 */
export function agentsMigration(
  { text, integer }: ColumnTypes,
  jobstateIndexes: (db: Kysely<unknown>) => Promise<void>,
): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('agents')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('org_id', text, (c) => c.notNull().references('orgs.id'))
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('device_id', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('tags', text, (c) => c.notNull())
        .addColumn('secret_hash', text, (c) => c.notNull().unique())
        .addColumn('enabled', integer, (c) => c.notNull())
        .addColumn('version', text)
        .addColumn('modules', text, (c) => c.notNull())
        .addColumn('wake_url', text)
        .addColumn('contact_seconds', integer, (c) => c.notNull())
        .addColumn('last_contact_at', integer)
        .addColumn('last_wake_error', text)
        .addColumn('last_wake_error_at', integer)
        .addColumn('created_at', integer, (c) => c.notNull())
        .addUniqueConstraint('agents_org_device', ['org_id', 'device_id'])
        .execute();
      await db.schema.createIndex('agents_org').on('agents').columns(['org_id', 'id']).execute();

      await db.schema
        .createTable('agent_tags')
        .addColumn('agent_id', text, (c) => c.notNull().references('agents.id'))
        .addColumn('org_id', text, (c) => c.notNull())
        .addColumn('tag', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('agent_tags_pk', ['agent_id', 'tag'])
        .execute();
      await db.schema
        .createIndex('agent_tags_org_tag')
        .on('agent_tags')
        .columns(['org_id', 'tag', 'agent_id'])
        .execute();

      await db.schema
        .createTable('enrolment_tokens')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('org_id', text, (c) => c.notNull().references('orgs.id'))
        .addColumn('hash', text, (c) => c.notNull().unique())
        .addColumn('tags', text, (c) => c.notNull())
        .addColumn('uses_left', integer, (c) => c.notNull())
        .addColumn('expires_at', integer, (c) => c.notNull())
        .addColumn('created_at', integer, (c) => c.notNull())
        .addColumn('created_by', text)
        .addColumn('revoked_at', integer)
        .execute();
      await db.schema.createIndex('enrolment_tokens_org').on('enrolment_tokens').columns(['org_id', 'id']).execute();

      await db.schema
        .alterTable('jobstates')
        .addColumn('runner', text, (c) => c.notNull().defaultTo('server'))
        .execute();
      await db.schema
        .alterTable('jobstates')
        .addColumn('event_seq', integer, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('jobstates').addColumn('progress', text).execute();
      // Before agents, every jobstate naming an agent was one no agent could have run.
      await sql`update jobstates set runner = 'agent' where agent_id is not null`.execute(db);
      await jobstateIndexes(db);
    },
  };
}
