import { ValidationError } from '../../core/errors.ts';
import type { LogRepo } from '../../core/ports/store.ts';
import { atomic, clampLimit, pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { logRow, toLogLine } from './rows.ts';

/** Rows per INSERT (6 columns each), under every backend's parameter limit. */
const INSERT_CHUNK = 500;

/** Log cursors are the numeric id of the last line returned. */
function parseCursor(after: string | undefined): number | undefined {
  if (after === undefined) return undefined;
  if (!/^\d+$/.test(after)) throw new ValidationError('after', 'is not a log cursor');
  return Number(after);
}

export function logRepo(ctx: SqlContext): LogRepo {
  const { db } = ctx;
  return {
    async append(jobstateId, attempt, lines) {
      if (lines.length === 0) return;
      const rows = lines.map((line) => logRow(jobstateId, attempt, line));
      await writing(ctx, `log of jobstate ${jobstateId}`, () =>
        atomic(ctx, async (tx) => {
          for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
            await tx
              .insertInto('logs')
              .values(rows.slice(i, i + INSERT_CHUNK))
              .execute();
          }
        }),
      );
    },

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
      const row = await db
        .selectFrom('logs')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('jobstate_id', '=', jobstateId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async deleteBefore(before, limit) {
      const oldest = db.selectFrom('logs').select('id').where('ts', '<', before).orderBy('id').limit(clampLimit(limit));
      const result = await db.deleteFrom('logs').where('id', 'in', oldest).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
