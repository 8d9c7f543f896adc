import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * The attempt that made each ledger entry (`GET /api/v1/ledger` shows it), and an index to
 * read an agent's last outcomes (its page, deploy's "installed already"). Entries written
 * before take the attempt of their jobstate while it is kept; pruned ones stay null.
 */
export function ledgerAttemptMigration({ integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('ledger').addColumn('attempt', integer).execute();
      await sql`UPDATE ledger SET attempt = (SELECT attempt FROM jobstates WHERE jobstates.id = ledger.jobstate_id)`.execute(
        db,
      );
      await db.schema.createIndex('ledger_target').on('ledger').columns(['target', 'task_id']).execute();
    },
  };
}
