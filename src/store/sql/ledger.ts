import type { LedgerEntry, LedgerRepo } from '../../core/ports/store.ts';
import type { SqlContext } from './context.ts';
import { ledgerRow, toLedger } from './rows.ts';

export function ledgerRepo(ctx: SqlContext): LedgerRepo {
  const { db } = ctx;
  /**
   * One upsert for all: an upsert may not touch a row twice, so entries for the same
   * (task, job, target) are first reduced to the latest, as recording them in turn would.
   */
  async function recordMany(entries: readonly LedgerEntry[]): Promise<void> {
    const latest = new Map<string, LedgerEntry>();
    for (const entry of entries) {
      const key = JSON.stringify([entry.taskId, entry.job, entry.target]);
      const kept = latest.get(key);
      if (!kept || kept.at <= entry.at) latest.set(key, entry);
    }
    if (latest.size === 0) return;
    await db
      .insertInto('ledger')
      .values([...latest.values()].map(ledgerRow))
      .onConflict((oc) =>
        oc
          .columns(['task_id', 'job', 'target'])
          .doUpdateSet((eb) => ({
            run_id: eb.ref('excluded.run_id'),
            jobstate_id: eb.ref('excluded.jobstate_id'),
            status: eb.ref('excluded.status'),
            reason: eb.ref('excluded.reason'),
            result: eb.ref('excluded.result'),
            at: eb.ref('excluded.at'),
          }))
          .whereRef('ledger.at', '<=', 'excluded.at'),
      )
      .execute();
  }

  return {
    /** An entry older than the stored one is ignored, so out-of-order reports cannot roll the ledger back. */
    record: (entry) => recordMany([entry]),
    recordMany,

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
