import type { Kysely, SelectQueryBuilder } from 'kysely';
import { byId } from '../../core/ids.ts';
import { RUN_STATUSES, type Run, type RunStatus, TERMINAL_RUN_STATUSES } from '../../core/model.ts';
import type { NewRun, RunRepo } from '../../core/ports/store.ts';
import { insertRows } from './bulk-insert.ts';
import { boundRow, type Slots, Statement, setSlots } from './compiled.ts';
import { atomic, clampLimit, pageWindow, readWhole, type SqlContext, toPage, writing } from './context.ts';
import { runPatchRow } from './patches.ts';
import { toRun } from './rows.ts';
import { completeDoneRuns } from './run-completion.ts';
import type { Database, RunTable } from './schema.ts';

/** Run ids as a list, or as a subquery when the set may be large (every run of a task). */
type RunIds = readonly string[] | SelectQueryBuilder<Database, 'runs', { id: string }>;

/** Deletes runs with their jobstates and logs, children first. Ledger and history stay. */
export async function deleteRunsWithChildren(db: Kysely<Database>, runIds: RunIds): Promise<number> {
  if (Array.isArray(runIds) && runIds.length === 0) return 0;
  const jobstateIds = db.selectFrom('jobstates').select('id').where('run_id', 'in', runIds);
  await db.deleteFrom('logs').where('jobstate_id', 'in', jobstateIds).execute();
  await db.deleteFrom('jobstates').where('run_id', 'in', runIds).execute();
  const result = await db.deleteFrom('runs').where('id', 'in', runIds).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Runs locked per statement: list lengths up to it are a few compiled shapes (compiled.ts). */
const ID_CHUNK = 256;

/** Shape: the ids' list length. */
const lockRuns = new Statement((db, p: Slots<{ keys: string[] }>, shape) =>
  db
    .selectFrom('runs')
    .select('id')
    .where('id', 'in', p.list('keys', Number(shape)))
    .orderBy('id')
    .forUpdate(),
);

const runRow = (run: NewRun): RunTable => ({
  id: run.id,
  org_id: run.orgId,
  task_id: run.taskId,
  task_version: run.taskVersion,
  reason: run.reason,
  fire_key: run.fireKey,
  fire_at: run.fireAt,
  start_at: run.startAt,
  status: run.status,
  status_reason: run.statusReason,
  created_at: run.createdAt,
  started_at: run.startedAt ?? null,
  finished_at: null,
  created_by: run.createdBy,
  missed_count: run.missed?.count ?? null,
  missed_last_fire_at: run.missed?.lastFireAt ?? null,
  rollout_plan: null,
  rollout_wave: null,
});

/** A firing's run (one a pass, with 100,000 schedules): compiled once; shape: the row's columns. */
const insertOneRun = new Statement((db, p: Slots<Record<string, unknown>>, shape) =>
  db
    .insertInto('runs')
    .values(setSlots(shape, p) as never)
    .onConflict((oc) => oc.columns(['task_id', 'fire_key']).doNothing()),
);

/** A firing reads its task's active runs (concurrency policy); shape: the ids' list length. */
const activeOf = new Statement((db, p: Slots<{ keys: string[] }>, shape) =>
  db
    .selectFrom('runs')
    .selectAll()
    .where('task_id', 'in', p.list('keys', Number(shape)))
    .where('status', 'in', ['pending', 'running'])
    .orderBy('fire_at')
    .orderBy('id'),
);

export function runRepo(ctx: SqlContext): RunRepo {
  const { db } = ctx;
  /** Runs this transaction locked already (holdForCompletion): a session is one transaction. */
  const held = new Set<string>();
  const locking = ctx.capabilities.rowLocks && db.isTransaction;

  /** Locked in id order: two batches holding runs in common never wait for each other in a circle. */
  async function hold(runIds: readonly string[]): Promise<void> {
    const ids = [...new Set(runIds)].filter((id) => !held.has(id)).sort();
    if (!locking || ids.length === 0) return;
    await lockRuns.runOfKeys(ctx, ids, {}, ID_CHUNK);
    for (const id of ids) held.add(id);
  }

  /**
   * A batch of firings writes its runs together, in one bulk insert (insertRows): built and
   * compiled by kysely as a multi-row VALUES, 100 runs cost about a millisecond of CPU each
   * batch before SQLite ran it, and PostgreSQL planned its thousands of parameters anew.
   */
  async function insertMany(runs: readonly NewRun[]): Promise<number> {
    if (runs.length === 0) return 0;
    const [only] = runs;
    if (runs.length === 1 && only) {
      const { columns, values } = boundRow(runRow(only));
      return writing(ctx, `run ${only.id}`, () => insertOneRun.changed(ctx, values, columns));
    }
    const bulk = {
      bulkRows: ctx.bulkRows,
      table: 'runs',
      items: runs,
      toRow: runRow,
      skipConflictsOn: ['task_id', 'fire_key'],
    } as const;
    return writing(ctx, 'run', () => atomic(ctx, (tx) => insertRows(tx, bulk)));
  }
  async function listActiveOf(taskIds: readonly string[]): Promise<Run[]> {
    const runs = (await activeOf.rowsOfKeys(ctx, taskIds, ID_CHUNK)).map(toRun);
    if (taskIds.length <= ID_CHUNK) return runs;
    // Each chunk came oldest first; all of them together, as one statement would give them.
    return runs.sort((a, b) => a.fireAt - b.fireAt || byId(a, b));
  }
  return {
    async insert(run) {
      return (await insertMany([run])) > 0;
    },
    insertMany,

    async get(id) {
      const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRun(row) : null;
    },

    async update(id, patch, fromStatus) {
      if (fromStatus?.length === 0) return false;
      const values = runPatchRow(patch);
      // An empty patch still answers whether the run is in one of `fromStatus`.
      if (Object.keys(values).length === 0) {
        const row = await db
          .selectFrom('runs')
          .select('id')
          .where('id', '=', id)
          .$if(fromStatus !== undefined, (q) => q.where('status', 'in', fromStatus as string[]))
          .executeTakeFirst();
        return row !== undefined;
      }
      const result = await writing(ctx, `run ${id}`, () =>
        db
          .updateTable('runs')
          .set(values)
          .where('id', '=', id)
          .$if(fromStatus !== undefined, (q) => q.where('status', 'in', fromStatus as string[]))
          .executeTakeFirst(),
      );
      return result.numUpdatedRows > 0n;
    },

    /**
     * The run's row is held first where rows can be locked: two transactions ending its
     * last two jobstates at once then take turns, and the second sees the first's end
     * (each statement of a READ COMMITTED transaction reads what committed before it).
     */
    async completeIfDone(runId, now) {
      // A run held already (holdForCompletion) is locked since before this jobstate's end was written.
      if (locking && !held.has(runId)) {
        const held = await db
          .selectFrom('runs')
          .select('status')
          .where('id', '=', runId)
          .forUpdate()
          .executeTakeFirst();
        if (held?.status !== 'running') return null;
      }
      return (await completeDoneRuns(ctx, [runId], now))[0] ?? null;
    },

    async completeManyIfDone(runIds, now) {
      const ids = [...new Set(runIds)];
      if (ids.length === 0) return [];
      await hold(ids);
      return completeDoneRuns(ctx, ids, now);
    },

    holdForCompletion: hold,

    /** Newest first; `since`/`until` bound createdAt as [since, until). */
    async list(filter, page) {
      const { after, limit } = pageWindow(page);
      if (filter.status?.length === 0) return { items: [], next: null };
      const rows = await db
        .selectFrom('runs')
        .selectAll()
        .$if(filter.orgId !== undefined, (q) => q.where('org_id', '=', filter.orgId as string))
        .$if(filter.taskId !== undefined, (q) => q.where('task_id', '=', filter.taskId as string))
        .$if(filter.status !== undefined, (q) => q.where('status', 'in', filter.status as string[]))
        .$if(filter.since !== undefined, (q) => q.where('created_at', '>=', filter.since as number))
        .$if(filter.until !== undefined, (q) => q.where('created_at', '<', filter.until as number))
        .$if(after !== undefined, (q) => q.where('id', '<', after as string))
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toRun);
    },

    async listStartable(now, limit) {
      const rows = await db
        .selectFrom('runs')
        .selectAll()
        .where('status', '=', 'pending')
        .where('start_at', '<=', now)
        .orderBy('start_at')
        .orderBy('id')
        .limit(clampLimit(limit))
        .execute();
      return rows.map(toRun);
    },

    listActive: (taskId) => listActiveOf([taskId]),
    listActiveOf,

    async latest(taskId) {
      const row = await db
        .selectFrom('runs')
        .selectAll()
        .where('task_id', '=', taskId)
        .orderBy('fire_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toRun(row) : null;
    },

    async countByStatus() {
      const query = db
        .selectFrom('runs')
        .select(['status', (eb) => eb.fn.countAll().as('n')])
        .groupBy('status');
      const rows = await readWhole(ctx, query);
      const counts = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
      for (const row of rows) counts[row.status as RunStatus] = Number(row.n);
      return counts;
    },

    /** A run that never started counts from its creation. */
    async deleteFinishedBefore(orgId, before, limit) {
      return atomic(ctx, async (tx) => {
        const rows = await tx
          .selectFrom('runs')
          .select('id')
          .where('org_id', '=', orgId)
          .where('status', 'in', TERMINAL_RUN_STATUSES as string[])
          .where((eb) => eb(eb.fn.coalesce('finished_at', 'created_at'), '<', before))
          .orderBy('id')
          .limit(clampLimit(limit))
          .execute();
        return deleteRunsWithChildren(
          tx,
          rows.map((row) => row.id),
        );
      });
    },
  };
}
