import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * Staged rollouts (0017 on every backend): a task's rollout definition (`tasks.rollout`,
 * JSON, null = none), a run's fixed plan and open waves (`runs.rollout_plan`,
 * `runs.rollout_wave`), and each jobstate's wave (`jobstates.wave`, its target's).
 */
export function rolloutsMigration({ text, integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tasks').addColumn('rollout', text).execute();
      await db.schema.alterTable('runs').addColumn('rollout_plan', text).execute();
      await db.schema.alterTable('runs').addColumn('rollout_wave', integer).execute();
      await db.schema.alterTable('jobstates').addColumn('wave', integer).execute();
    },
  };
}
