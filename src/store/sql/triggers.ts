import type { TriggerRepo } from '../../core/ports/store.ts';
import { clampLimit, type SqlContext, writing } from './context.ts';
import { toTrigger, triggerRow } from './rows.ts';

export function triggerRepo(ctx: SqlContext): TriggerRepo {
  const { db, capabilities } = ctx;
  return {
    async set(trigger) {
      const row = triggerRow(trigger);
      await writing(ctx, `trigger of task ${trigger.taskId}`, () =>
        db
          .insertInto('triggers')
          .values(row)
          .onConflict((oc) =>
            oc.column('task_id').doUpdateSet({ next_fire_at: row.next_fire_at, task_version: row.task_version }),
          )
          .execute(),
      );
    },

    async clear(taskId) {
      await db.deleteFrom('triggers').where('task_id', '=', taskId).execute();
    },

    async get(taskId) {
      const row = await db.selectFrom('triggers').selectAll().where('task_id', '=', taskId).executeTakeFirst();
      return row ? toTrigger(row) : null;
    },

    async claimDue(now, limit) {
      const rows = await db
        .selectFrom('triggers')
        .selectAll()
        .where('next_fire_at', '<=', now)
        .orderBy('next_fire_at')
        .orderBy('task_id')
        .limit(clampLimit(limit))
        .$if(capabilities.skipLocked, (q) => q.forUpdate().skipLocked())
        .execute();
      return rows.map(toTrigger);
    },

    async nextFireAt() {
      const row = await db
        .selectFrom('triggers')
        .select((eb) => eb.fn.min('next_fire_at').as('at'))
        .executeTakeFirst();
      return row?.at == null ? null : Number(row.at);
    },
  };
}
