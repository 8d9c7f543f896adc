import { TaskwardenError } from '../../core/errors.ts';
import type { TaskRepo } from '../../core/ports/store.ts';
import { atomic, chunksOf, pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { taskRow, toTask } from './rows.ts';
import { deleteRunsWithChildren } from './runs.ts';

export function taskRepo(ctx: SqlContext): TaskRepo {
  const { db } = ctx;
  return {
    async create(task) {
      await writing(
        ctx,
        `task "${task.name}"`,
        () => db.insertInto('tasks').values(taskRow(task)).execute(),
        'task_name_taken',
      );
      return task;
    },

    async createMany(tasks) {
      await writing(
        ctx,
        'task',
        () =>
          atomic(ctx, async (tx) => {
            for (const part of chunksOf(tasks)) {
              // Looked up first, so the conflict names the task (a unique violation does not, portably).
              const taken = await tx
                .selectFrom('tasks')
                .select(['org_id', 'name'])
                .where('org_id', 'in', [...new Set(part.map((t) => t.orgId))])
                .where(
                  'name',
                  'in',
                  part.map((t) => t.name),
                )
                .execute();
              const clash = part.find((t) => taken.some((row) => row.org_id === t.orgId && row.name === t.name));
              if (clash)
                throw new TaskwardenError('task_name_taken', `task "${clash.name}" already exists`, {
                  name: clash.name,
                });
              await tx.insertInto('tasks').values(part.map(taskRow)).execute();
            }
          }),
        'task_name_taken',
      );
    },

    async update(task) {
      // A task never changes org and keeps its creation time.
      const { id, org_id, created_at, ...values } = taskRow(task);
      const result = await writing(
        ctx,
        `task "${task.name}"`,
        () =>
          db
            .updateTable('tasks')
            .set(values)
            .where('id', '=', id)
            .where('version', '=', task.version - 1)
            .executeTakeFirst(),
        'task_name_taken',
      );
      return result.numUpdatedRows > 0n;
    },

    async get(id) {
      const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toTask(row) : null;
    },

    async getByName(orgId, name) {
      const row = await db
        .selectFrom('tasks')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? toTask(row) : null;
    },

    async list(filter, page) {
      const { after, limit } = pageWindow(page);
      const rows = await db
        .selectFrom('tasks')
        .selectAll()
        .$if(filter.orgId !== undefined, (q) =>
          q.where('org_id', 'in', typeof filter.orgId === 'string' ? [filter.orgId] : (filter.orgId as string[])),
        )
        .$if(filter.enabled !== undefined, (q) => q.where('enabled', '=', filter.enabled ? 1 : 0))
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toTask);
    },

    async delete(id) {
      await atomic(ctx, async (tx) => {
        await deleteRunsWithChildren(tx, tx.selectFrom('runs').select('id').where('task_id', '=', id));
        await tx.deleteFrom('triggers').where('task_id', '=', id).execute();
        await tx.deleteFrom('tasks').where('id', '=', id).execute();
      });
    },
  };
}
