import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Indexes of the agent contact's hot path (0022 on every backend):
 *
 * * `jobstates_run_status` (run_id, status): a run closes when its last jobstate ends, and
 *   each end asks "is any jobstate of this run still open?" (runs.completeIfDone). Through
 *   (run_id, job_index) that read walked the run's ended jobstates, so ending each of a
 *   1,000-agent run's jobstates cost a walk of up to 1,000 rows; now it is one seek.
 * * SQLite only, `jobstates_agent_claim` in place of `jobstates_agent`: claimForAgent picks
 *   in (prepared_at, id) order. With the old index that order needed a sort, and SQLite's
 *   planner preferred the server claim index, which gave the order but walked every agent's
 *   prepared jobstates: a contact's claim cost as much as the queue was long. PostgreSQL has
 *   had its partial index in claim order since 0002.
 */
export function contactIndexesMigration(backend: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('jobstates_run_status').on('jobstates').columns(['run_id', 'status']).execute();
      if (backend !== 'sqlite') return;
      await db.schema.dropIndex('jobstates_agent').execute();
      // listForAgent reads it too; `agent_id = ?` implies the index's condition.
      await db.schema
        .createIndex('jobstates_agent_claim')
        .on('jobstates')
        .columns(['agent_id', 'status', 'prepared_at', 'id'])
        .where(sql.ref('agent_id'), 'is not', null)
        .execute();
    },
  };
}
