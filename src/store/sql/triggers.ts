import type { Trigger, TriggerRepo } from '../../core/ports/store.ts';
import { boundRow, type Slots, Statement, setSlots } from './compiled.ts';
import { atomic, chunksOf, clampLimit, type SqlContext, writing } from './context.ts';
import { toTrigger, triggerRow } from './rows.ts';

// Every pass of the engine's loop claims the due triggers and reads the next firing's time,
// and each firing moves its task's trigger on: with 100,000 schedules a pass a second or
// more, compiled once (compiled.ts) instead of built per call. Shape 'locked': SKIP LOCKED.
const dueTriggers = new Statement((db, p: Slots<{ now: number; limit: number }>, shape) =>
  db
    .selectFrom('triggers')
    .selectAll()
    .where('next_fire_at', '<=', p('now'))
    .orderBy('next_fire_at')
    .orderBy('task_id')
    .limit(p('limit'))
    .$if(shape === 'locked', (q) => q.forUpdate().skipLocked()),
);

const firstFireAt = new Statement((db) => db.selectFrom('triggers').select((eb) => eb.fn.min('next_fire_at').as('at')));

/** One trigger set (a firing moves its own); shape: the row's columns (setSlots). */
const upsertOne = new Statement((db, p: Slots<Record<string, unknown>>, shape) =>
  db
    .insertInto('triggers')
    .values(setSlots(shape, p) as never)
    .onConflict((oc) =>
      oc.column('task_id').doUpdateSet((eb) => ({
        next_fire_at: eb.ref('excluded.next_fire_at'),
        task_version: eb.ref('excluded.task_version'),
      })),
    ),
);

/** Triggers cleared (a `once` task fired, a task disabled or deleted); shape: the ids' list length. */
const deleteTriggers = new Statement((db, p: Slots<{ keys: string[] }>, shape) =>
  db.deleteFrom('triggers').where('task_id', 'in', p.list('keys', Number(shape))),
);

/** Task ids per delete: list lengths up to it are a few compiled shapes (listShape). */
const CLEAR_CHUNK = 256;

export function triggerRepo(ctx: SqlContext): TriggerRepo {
  const { db, capabilities } = ctx;
  /** One upsert per INSERT_CHUNK triggers: a bulk load plans them all at once. */
  async function setMany(triggers: readonly Trigger[]): Promise<void> {
    const [only] = triggers;
    if (triggers.length === 1 && only) {
      const { columns, values } = boundRow(triggerRow(only));
      await writing(ctx, 'trigger', () => upsertOne.run(ctx, values, columns));
      return;
    }
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
    await deleteTriggers.runOfKeys(ctx, taskIds, {}, CLEAR_CHUNK);
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
      const shape = capabilities.skipLocked ? 'locked' : '';
      const rows = await dueTriggers.rows(ctx, { now, limit: clampLimit(limit) }, shape);
      return rows.map(toTrigger);
    },

    async nextFireAt() {
      const row = await firstFireAt.first(ctx, {});
      return row?.at == null ? null : Number(row.at);
    },
  };
}
