import type { Kysely, Migration } from 'kysely';
import { createJobstateIndex, type JobstateIndex } from './jobstate-indexes-migration.ts';

/**
 * PostgreSQL only (0024; SQLite's claims rank the agents' rows off `jobstates_agent_claim`
 * since 0022): an agents' claim reads each agent's prepared jobstates off
 * `jobstates_agent_claim` (agent_id, prepared_at, id), the only index left that holds
 * prepared agent jobstates in claim order without a condition the claim does not state.
 *
 * The claim's pick walks, per agent, its jobstates in (prepared_at, id) order up to its
 * capacity. Two other indexes gave that order over every agent's prepared rows at once:
 * `jobstates_claim_order` (status, runner, prepared_at, id) and `jobstates_agent_prepared`
 * (prepared_at, id, partial). Where the statistics hold few prepared rows (a new table, or
 * an ANALYZE between two runs: a fleet's jobstates are mostly ended), PostgreSQL costs a walk
 * of those "few" rows below a seek by agent, and the pick walked every prepared jobstate for
 * each agent it served: 256 agents of a run over 1,000 took 60–100 ms a claim, not 10–16.
 *
 * * `jobstates_claim_order` → `jobstates_server_claim` (prepared_at, id) over the server's
 *   prepared rows: the server claim, the order's one other reader, walks it as before.
 * * `jobstates_agent_prepared` again, over the prepared agent rows whose prepared_at is set
 *   (all of them): the expiry (listPreparedExpired, nextWakeAt) states that condition, the
 *   claim does not, so the claim cannot walk it.
 */
export function claimPlansMigration(backend: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (backend !== 'postgres') return;
      for (const old of REPLACED) await db.schema.dropIndex(old).execute();
      for (const index of POSTGRES_INDEXES) await createJobstateIndex(db, index);
    },
  };
}

const REPLACED = ['jobstates_claim_order', 'jobstates_agent_prepared'];

const POSTGRES_INDEXES: JobstateIndex[] = [
  {
    name: 'jobstates_server_claim',
    columns: ['prepared_at', 'id'],
    where: `status = 'prepared' and runner = 'server'`,
  },
  {
    name: 'jobstates_agent_prepared',
    columns: ['prepared_at', 'id'],
    where: `status = 'prepared' and runner = 'agent' and prepared_at is not null`,
  },
];
