import type { ExpressionBuilder, Kysely } from 'kysely';
import { byId } from '../../core/ids.ts';
import { OPEN_JOBSTATE_STATUSES, type Run } from '../../core/model.ts';
import { listShape, type Slots, Statement } from './compiled.ts';
import { atomic, type SqlContext } from './context.ts';
import { literals } from './literals.ts';
import { toRun } from './rows.ts';
import type { Database } from './schema.ts';
import { unindexed } from './unindexed.ts';

/**
 * Whether the run has a jobstate of one of `statuses`: the first one's id, or null. A scalar
 * subquery, where EXISTS would do, because PostgreSQL turns a NOT EXISTS into an anti-join,
 * and without statistics (a new table, before autovacuum's first ANALYZE) it read every open
 * jobstate of the table off the status index for it, at each batch; a scalar subquery stays
 * one lookup per run on (run_id, status).
 */
const jobstateOfRun = (eb: ExpressionBuilder<Database, 'runs'>, statuses: readonly string[]) =>
  eb
    .selectFrom('jobstates')
    .select('jobstates.id')
    .whereRef('jobstates.run_id', '=', 'runs.id')
    .where('jobstates.status', 'in', literals(statuses))
    .limit(1);

/**
 * A run that may end: running, and not waiting for late joiners (late-join.ts closeDue ends
 * those once their window closed). Unindexed: SQLite, without statistics, preferred the
 * equality on `join_open` (runs_join_open) or on `status` (runs_status_start) to the ids,
 * and read every run of that flag or status at each batch, 3 ms a call with 20,000 runs.
 */
const mayEnd = (eb: ExpressionBuilder<Database, 'runs'>) =>
  unindexed(eb, eb('status', '=', 'running'), eb('join_open', '=', 0));

/** The update that ends those of `runIds` that are running with no open jobstate. */
const completion = (db: Kysely<Database>, runIds: readonly string[], now: number) =>
  db
    .updateTable('runs')
    .set((eb) => ({
      status: eb
        .case()
        .when(jobstateOfRun(eb, ['error']), 'is not', null)
        .then('error')
        .else('finished')
        .end(),
      finished_at: now,
    }))
    .where('id', 'in', runIds)
    .where(mayEnd)
    .where((eb) => eb(jobstateOfRun(eb, OPEN_JOBSTATE_STATUSES), 'is', null));

type CompletionParams = { runIds: string[]; now: number };

/** Shape: the run ids' list length. */
const complete = new Statement((db, p: Slots<CompletionParams>, shape) =>
  completion(db, p.list('runIds', Number(shape)), p('now')),
);
const completeReturning = new Statement((db, p: Slots<CompletionParams>, shape) =>
  completion(db, p.list('runIds', Number(shape)), p('now')).returningAll(),
);
const runById = new Statement((db, p: Slots<{ id: string }>) =>
  db.selectFrom('runs').selectAll().where('id', '=', p('id')),
);

/**
 * Ends those of `runIds` that are running with no open jobstate (error if one errored, else
 * finished) and returns them, in id order. The caller holds the runs where rows lock.
 */
export async function completeDoneRuns(ctx: SqlContext, runIds: readonly string[], now: number): Promise<Run[]> {
  const [runId, ...more] = runIds;
  if (runId === undefined) return [];
  if (!ctx.returningBuffersRows || more.length > 0) {
    const params = { runIds: [...runIds], now };
    const rows = await completeReturning.rows(ctx, params, String(listShape(runIds.length)));
    return rows.map(toRun).sort(byId);
  }
  // SQLite's RETURNING buffers rows in a temporary table even when none changed, which costs
  // more than the update itself, and every jobstate's end asks for its run: update, then read
  // back only when it ended. (A batch's runs, asked once per batch, keep RETURNING.)
  return atomic(ctx, async (tx) => {
    const session = { db: tx, compiled: ctx.compiled };
    if ((await complete.changed(session, { runIds: [runId], now }, '1')) === 0) return [];
    return (await runById.rows(session, { id: runId })).map(toRun);
  });
}
