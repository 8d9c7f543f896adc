import type { LedgerRepo } from '../../core/ports/store.ts';
import type { SqlContext } from './context.ts';
import { ledgerRow, toLedger } from './rows.ts';

export function ledgerRepo(ctx: SqlContext): LedgerRepo {
  const { db } = ctx;
  return {
    /** An entry older than the stored one is ignored, so out-of-order reports cannot roll the ledger back. */
    async record(entry) {
      const row = ledgerRow(entry);
      await db
        .insertInto('ledger')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['task_id', 'job', 'target'])
            .doUpdateSet({
              run_id: row.run_id,
              jobstate_id: row.jobstate_id,
              status: row.status,
              reason: row.reason,
              result: row.result,
              at: row.at,
            })
            .where('ledger.at', '<=', row.at),
        )
        .execute();
    },

    async get(taskId, job, target) {
      const row = await db
        .selectFrom('ledger')
        .selectAll()
        .where('task_id', '=', taskId)
        .where('job', '=', job)
        .where('target', '=', target)
        .executeTakeFirst();
      return row ? toLedger(row) : null;
    },

    async listForTask(taskId) {
      const rows = await db
        .selectFrom('ledger')
        .selectAll()
        .where('task_id', '=', taskId)
        .orderBy('job')
        .orderBy('target')
        .execute();
      return rows.map(toLedger);
    },
  };
}
