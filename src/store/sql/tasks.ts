import type { Kysely } from 'kysely';
import { TaskwardenError } from '../../core/errors.ts';
import type { Task } from '../../core/model.ts';
import type { TaskRepo } from '../../core/ports/store.ts';
import { type Slots, Statement } from './compiled.ts';
import { atomic, chunksOf, pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { taskRow, toTask } from './rows.ts';
import { deleteRunsWithChildren } from './runs.ts';
import type { Database } from './schema.ts';

/** Ending a jobstate reads its task (retry policy): once per agent job. */
const taskById = new Statement((db, p: Slots<{ id: string }>) =>
  db.selectFrom('tasks').selectAll().where('id', '=', p('id')),
);

/** Each batch of firings reads its tasks at once; shape: the ids' list length. */
const tasksByIds = new Statement((db, p: Slots<{ keys: string[] }>, shape) =>
  db
    .selectFrom('tasks')
    .selectAll()
    .where('id', 'in', p.list('keys', Number(shape))),
);

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
              const clash = await firstTaken(tx, part);
              if (clash)
                throw new TaskwardenError('task_name_taken', `task "${clash.name}" already exists`, {
                  name: clash.name,
                });
              await tx.insertInto('tasks').values(part.map(taskRow)).execute();
            }
          }),
        // Two of one name in the load: the unique index catches them.
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
      const row = await taskById.first(ctx, { id });
      return row ? toTask(row) : null;
    },

    async getMany(ids) {
      return (await tasksByIds.rowsOfKeys(ctx, ids)).map(toTask);
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

/**
 * The first of `tasks` whose org already has a task of its name. Looked up before the
 * insert, so the conflict names the task (a unique violation does not, portably).
 */
async function firstTaken(db: Kysely<Database>, tasks: readonly Task[]): Promise<Task | undefined> {
  const taken = await db
    .selectFrom('tasks')
    .select(['org_id', 'name'])
    .where('org_id', 'in', [...new Set(tasks.map((t) => t.orgId))])
    .where(
      'name',
      'in',
      tasks.map((t) => t.name),
    )
    .execute();
  const keys = new Set(taken.map((row) => `${row.org_id}\0${row.name}`));
  return tasks.find((t) => keys.has(`${t.orgId}\0${t.name}`));
}
