import { type Kysely, sql } from 'kysely';
import { agentsMigration } from '../../sql/agents-migration.ts';

/** Agents and enrolment tokens; the server claim index now selects by runner. */
export const agents = agentsMigration({ text: 'text', integer: 'integer' }, async (db: Kysely<unknown>) => {
  await db.schema.dropIndex('jobstates_server_claim').execute();
  await db.schema
    .createIndex('jobstates_server_claim')
    .on('jobstates')
    .columns(['status', 'due_at', 'prepared_at'])
    .where(sql.ref('runner'), '=', 'server')
    .execute();
  // claimForAgent and listForAgent.
  await db.schema
    .createIndex('jobstates_agent')
    .on('jobstates')
    .columns(['agent_id', 'status', 'prepared_at'])
    .where(sql.ref('agent_id'), 'is not', null)
    .execute();
});
