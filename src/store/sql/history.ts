import type { HistoryRepo } from '../../core/ports/store.ts';
import { atomic, chunksOf, pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { historyRow, toHistory } from './rows.ts';

export function historyRepo(ctx: SqlContext): HistoryRepo {
  const { db } = ctx;
  return {
    async add(entry) {
      await writing(ctx, `history entry ${entry.id}`, () =>
        db.insertInto('task_history').values(historyRow(entry)).execute(),
      );
    },

    async addMany(entries) {
      await writing(ctx, 'history entry', () =>
        atomic(ctx, async (tx) => {
          for (const part of chunksOf(entries))
            await tx.insertInto('task_history').values(part.map(historyRow)).execute();
        }),
      );
    },

    /** Oldest first: a task's history reads as a story. */
    async list(taskId, page) {
      const { after, limit } = pageWindow(page);
      const rows = await db
        .selectFrom('task_history')
        .selectAll()
        .where('task_id', '=', taskId)
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toHistory);
    },
  };
}
