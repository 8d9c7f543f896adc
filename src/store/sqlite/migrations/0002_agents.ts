import type { Kysely } from 'kysely';
import { agentsMigration } from '../../sql/agents-migration.ts';

/**
 * Agents and enrolment tokens. The server claim index becomes one by runner: queries bind
 * the runner as a parameter, which a partial index on `runner = 'server'` could not match.
 */
export const agents = agentsMigration({ text: 'text', integer: 'integer' }, async (db: Kysely<unknown>) => {
  await db.schema.dropIndex('jobstates_server_claim').execute();
  // claimServer, listLeaseExpired and listPreparedExpired (in its order).
  await db.schema
    .createIndex('jobstates_runner_claim')
    .on('jobstates')
    .columns(['status', 'runner', 'prepared_at'])
    .execute();
  // claimForAgent and listForAgent; `agent_id = ?` implies the index's condition.
  await db.schema
    .createIndex('jobstates_agent')
    .on('jobstates')
    .columns(['agent_id', 'status', 'prepared_at'])
    .where('agent_id', 'is not', null)
    .execute();
});
