import type { LedgerEntry, LedgerListing, LedgerRepo } from '../../core/ports/store.ts';
import { type CompiledContext, type Slots, Statement } from './compiled.ts';
import { atomic, chunksOf, pageWindow, type SqlContext, toPage } from './context.ts';
import { ledgerRow, toLedger } from './rows.ts';
import type { LedgerTable } from './schema.ts';

/** A listing's cursor: the last row's sort key (task name, task id, job, target). */
type LedgerKey = [string, string, string, string];

const encodeKey = (key: LedgerKey): string => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeKey(cursor: string): LedgerKey | null {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    return Array.isArray(key) && key.length === 4 && key.every((part) => typeof part === 'string')
      ? (key as LedgerKey)
      : null;
  } catch {
    return null;
  }
}

const LEDGER_COLUMNS = [
  'task_id',
  'job',
  'target',
  'run_id',
  'jobstate_id',
  'attempt',
  'status',
  'reason',
  'result',
  'at',
] as const satisfies readonly (keyof LedgerTable)[];
type LedgerColumns = { [K in (typeof LEDGER_COLUMNS)[number]]: LedgerTable[K][] };
/** Rows per upsert: each count is a shape of its own (compiled.ts), so few. */
const LEDGER_CHUNK = 50;

/** The upsert of `shape` entries, given by column. An entry older than the stored one changes nothing. */
const upsert = new Statement((db, p: Slots<LedgerColumns>, shape) => {
  const count = Number(shape);
  const lists = LEDGER_COLUMNS.map((column) => p.list(column, count) as unknown[]);
  const rows = Array.from({ length: count }, (_, i) =>
    Object.fromEntries(LEDGER_COLUMNS.map((column, k) => [column, lists[k]?.[i]])),
  );
  return db
    .insertInto('ledger')
    .values(rows as unknown as LedgerTable[])
    .onConflict((oc) =>
      oc
        .columns(['task_id', 'job', 'target'])
        .doUpdateSet((eb) => ({
          run_id: eb.ref('excluded.run_id'),
          jobstate_id: eb.ref('excluded.jobstate_id'),
          attempt: eb.ref('excluded.attempt'),
          status: eb.ref('excluded.status'),
          reason: eb.ref('excluded.reason'),
          result: eb.ref('excluded.result'),
          at: eb.ref('excluded.at'),
        }))
        .whereRef('ledger.at', '<=', 'excluded.at'),
    );
});

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
    const rows = [...latest.values()].map(ledgerRow);
    const write = async (session: CompiledContext) => {
      for (const part of chunksOf(rows, LEDGER_CHUNK)) {
        const columns = Object.fromEntries(LEDGER_COLUMNS.map((column) => [column, part.map((row) => row[column])]));
        await upsert.run(session, columns as LedgerColumns, String(part.length));
      }
    };
    // Several statements are one write: atomic then, else no transaction of its own.
    await (rows.length > LEDGER_CHUNK ? atomic(ctx, (tx) => write({ db: tx, compiled: ctx.compiled })) : write(ctx));
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

    async list(filter, page) {
      const { after, limit } = pageWindow(page);
      const from = after === undefined ? null : decodeKey(after);
      // A cursor that does not decode is a page past the end, not an error that leaks how it is made.
      if (after !== undefined && from === null) return { items: [], next: null };
      const rows = await db
        .selectFrom('ledger')
        .innerJoin('tasks', 'tasks.id', 'ledger.task_id')
        .leftJoin('agents', 'agents.id', 'ledger.target')
        .selectAll('ledger')
        .select(['tasks.org_id as org_id', 'tasks.name as task_name', 'agents.name as agent_name'])
        .$if(filter.orgId !== undefined, (q) => q.where('tasks.org_id', '=', filter.orgId as string))
        .$if(filter.taskId !== undefined, (q) => q.where('ledger.task_id', '=', filter.taskId as string))
        .$if(filter.job !== undefined, (q) => q.where('ledger.job', '=', filter.job as string))
        .$if(filter.target !== undefined, (q) => q.where('ledger.target', '=', filter.target as string))
        .$if(filter.status !== undefined, (q) => q.where('ledger.status', '=', filter.status as string))
        .$if(from !== null, (q) =>
          q.where((eb) =>
            eb(
              eb.refTuple('tasks.name', 'ledger.task_id', 'ledger.job', 'ledger.target'),
              '>',
              eb.tuple(...(from as LedgerKey)),
            ),
          ),
        )
        .orderBy('tasks.name')
        .orderBy('ledger.task_id')
        .orderBy('ledger.job')
        .orderBy('ledger.target')
        .limit(limit + 1)
        .execute();
      return toPage(
        rows,
        limit,
        (row) => encodeKey([row.task_name, row.task_id, row.job, row.target]),
        (row): LedgerListing => ({
          ...toLedger(row),
          orgId: row.org_id,
          taskName: row.task_name,
          agentName: row.agent_name ?? null,
        }),
      );
    },
  };
}
