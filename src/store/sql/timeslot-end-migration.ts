import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * Timeslots govern execution (0013 on every backend; each passes its column types): a
 * task's `timeslot_end` (finish | cancel | pause; tasks written before keep running work,
 * 'finish'), and on a jobstate when the window it was prepared in closes (null: never).
 * The index serves the sweep and the loop's wake-up, which look for the earliest close of
 * prepared and running jobstates; partial, so jobstates of tasks without windows (most)
 * cost no index write.
 */
export function timeslotEndMigration({ text, integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('tasks')
        .addColumn('timeslot_end', text, (c) => c.notNull().defaultTo('finish'))
        .execute();
      await db.schema.alterTable('jobstates').addColumn('window_closes_at', integer).execute();
      await db.schema
        .createIndex('jobstates_window_close')
        .on('jobstates')
        .columns(['status', 'window_closes_at'])
        .where(sql.ref('window_closes_at'), 'is not', null)
        .execute();
    },
  };
}
