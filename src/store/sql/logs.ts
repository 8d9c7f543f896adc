import { ValidationError } from '../../core/errors.ts';
import type { LogLine } from '../../core/model.ts';
import type { LogRepo } from '../../core/ports/store.ts';
import { insertRows } from './bulk-insert.ts';
import { type Slots, Statement } from './compiled.ts';
import { atomic, clampLimit, pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { logRow, toLogLine } from './rows.ts';

/** Log cursors are the numeric id of the last line returned. */
function parseCursor(after: string | undefined): number | undefined {
  if (after === undefined) return undefined;
  if (!/^\d+$/.test(after)) throw new ValidationError('after', 'is not a log cursor');
  return Number(after);
}

/** An agent's events call with log lines counts them first (the per-jobstate cap). */
const linesOf = new Statement((db, p: Slots<{ jobstateId: string }>) =>
  db
    .selectFrom('logs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('jobstate_id', '=', p('jobstateId')),
);

/** The same for a batch of events calls: shape, the list's length. */
const linesOfMany = new Statement((db, p: Slots<{ keys: string[] }>, shape) =>
  db
    .selectFrom('logs')
    .select((eb) => ['jobstate_id', eb.fn.countAll().as('n')])
    .where('jobstate_id', 'in', p.list('keys', Number(shape)))
    .groupBy('jobstate_id'),
);

export function logRepo(ctx: SqlContext): LogRepo {
  const { db } = ctx;
  /**
   * Every part's lines, in order, in one statement a BULK_CHUNK of lines (insertRows: one
   * array or JSON parameter per column, not one per value). A group-commit batch of 500
   * events calls of 3 lines each wrote them in 3 statements of 2,500 values before, each
   * planned anew on PostgreSQL for its count of rows.
   */
  async function appendMany(
    parts: readonly { jobstateId: string; attempt: number; lines: LogLine[] }[],
  ): Promise<void> {
    const items = parts.flatMap((part) => part.lines.map((line) => ({ part, line })));
    if (items.length === 0) return;
    const what = parts.length === 1 ? `log of jobstate ${parts[0]?.jobstateId}` : `logs of ${parts.length} jobstates`;
    const bulk = {
      bulkRows: ctx.bulkRows,
      table: 'logs' as const,
      items,
      toRow: ({ part, line }: (typeof items)[number]) => logRow(part.jobstateId, part.attempt, line),
      inOrder: true,
    };
    await writing(ctx, what, () => atomic(ctx, (tx) => insertRows(tx, bulk)));
  }

  return {
    append: (jobstateId, attempt, lines) => appendMany([{ jobstateId, attempt, lines }]),
    appendMany,

    async list(jobstateId, page) {
      const { limit } = pageWindow(page);
      const after = parseCursor(page.after);
      const rows = await db
        .selectFrom('logs')
        .select(['id', 'ts', 'stream', 'line', 'attempt'])
        .where('jobstate_id', '=', jobstateId)
        .$if(after !== undefined, (q) => q.where('id', '>', after as number))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const paged = toPage(rows, limit, (row) => String(row.id), toLogLine);
      const last = rows.slice(0, limit).at(-1);
      return { ...paged, cursor: last ? String(last.id) : (page.after ?? null) };
    },

    async count(jobstateId) {
      const row = await linesOf.first(ctx, { jobstateId });
      return Number(row?.n ?? 0);
    },

    async countMany(jobstateIds) {
      const counts = new Map(jobstateIds.map((id) => [id, 0]));
      for (const row of await linesOfMany.rowsOfKeys(ctx, jobstateIds)) counts.set(row.jobstate_id, Number(row.n));
      return counts;
    },

    async deleteBefore(orgId, before, limit) {
      const oldest = db
        .selectFrom('logs')
        .innerJoin('jobstates', 'jobstates.id', 'logs.jobstate_id')
        .select('logs.id')
        .where('jobstates.org_id', '=', orgId)
        .where('logs.ts', '<', before)
        .orderBy('logs.id')
        .limit(clampLimit(limit));
      const result = await db.deleteFrom('logs').where('id', 'in', oldest).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
