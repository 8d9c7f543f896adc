import { type Kysely, sql } from 'kysely';
import { agentsMigration } from '../../sql/agents-migration.ts';
import { POSTGRES_TYPES } from './column-types.ts';

/**
 * Agents and enrolment tokens with PostgreSQL types; the claim and expiry indexes now
 * select by runner, in the order their queries walk them.
 */
export const agents = agentsMigration(POSTGRES_TYPES, async (db: Kysely<unknown>) => {
  await db.schema.dropIndex('jobstates_server_claim').execute();
  await db.schema
    .createIndex('jobstates_server_claim')
    .on('jobstates')
    .expression(sql`(coalesce(due_at, 0)), (coalesce(prepared_at, 0)), id`)
    .where(sql<boolean>`status = 'prepared' and runner = 'server'`)
    .execute();
  await db.schema.dropIndex('jobstates_agent_prepared').execute();
  // listPreparedExpired: agent jobstates nobody fetched.
  await db.schema
    .createIndex('jobstates_agent_prepared')
    .on('jobstates')
    .columns(['prepared_at', 'id'])
    .where(sql<boolean>`status = 'prepared' and runner = 'agent'`)
    .execute();
  // claimForAgent (in claim order) and listForAgent.
  await db.schema
    .createIndex('jobstates_agent_claim')
    .on('jobstates')
    .columns(['agent_id', 'prepared_at', 'id'])
    .where(sql<boolean>`status = 'prepared' and runner = 'agent'`)
    .execute();
  await db.schema.createIndex('jobstates_agent_status').on('jobstates').columns(['agent_id', 'status']).execute();
});
