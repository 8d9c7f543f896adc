import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * The programs server jobs started (0011 on every backend; each passes its column types):
 * one row per (jobstate, attempt) from just before the spawn until the program ended, so a
 * node restarted after a crash kills what its predecessor left running. A jobstate deleted
 * (its run pruned) takes its rows with it.
 */
export function commandProcessesMigration({ text, integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('command_processes')
        .addColumn('jobstate_id', text, (c) => c.notNull().references('jobstates.id').onDelete('cascade'))
        .addColumn('attempt', integer, (c) => c.notNull())
        .addColumn('lease_owner', text, (c) => c.notNull())
        .addColumn('hostname', text, (c) => c.notNull())
        .addColumn('boot_id', text, (c) => c.notNull())
        .addColumn('owner_pid', integer, (c) => c.notNull())
        .addColumn('owner_start_ticks', integer, (c) => c.notNull())
        .addColumn('mark', text, (c) => c.notNull())
        .addColumn('pgid', integer)
        .addColumn('start_ticks', integer)
        .addColumn('created_at', integer, (c) => c.notNull())
        .addPrimaryKeyConstraint('command_processes_pk', ['jobstate_id', 'attempt'])
        .execute();
      await db.schema.createIndex('command_processes_host').on('command_processes').column('hostname').execute();
    },
  };
}
