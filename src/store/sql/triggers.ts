import type { Trigger, TriggerRepo } from '../../core/ports/store.ts';
import { atomic, chunksOf, clampLimit, type SqlContext, writing } from './context.ts';
import { toTrigger, triggerRow } from './rows.ts';

export function triggerRepo(ctx: SqlContext): TriggerRepo {
  const { db, capabilities } = ctx;
  /** One upsert per INSERT_CHUNK triggers: a bulk load plans them all at once. */
  async function setMany(triggers: readonly Trigger[]): Promise<void> {
    await writing(ctx, 'trigger', () =>
      atomic(ctx, async (tx) => {
        for (const part of chunksOf(triggers)) {
          await tx
            .insertInto('triggers')
            .values(part.map(triggerRow))
            .onConflict((oc) =>
              oc.column('task_id').doUpdateSet((eb) => ({
                next_fire_at: eb.ref('excluded.next_fire_at'),
                task_version: eb.ref('excluded.task_version'),
              })),
            )
            .execute();
        }
      }),
    );
  }
  async function clearMany(taskIds: readonly string[]): Promise<void> {
    for (const part of chunksOf(taskIds)) await db.deleteFrom('triggers').where('task_id', 'in', part).execute();
  }
  return {
    set: (trigger) => setMany([trigger]),
    setMany,

    clear: (taskId) => clearMany([taskId]),
    clearMany,

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
