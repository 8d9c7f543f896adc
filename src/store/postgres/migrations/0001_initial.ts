import { type Kysely, type Migration, sql } from 'kysely';
import { POSTGRES_TYPES } from './column-types.ts';

const { text, integer } = POSTGRES_TYPES;

/**
 * The first schema: SQLite's 0001 with PostgreSQL's types (column-types.ts); JSON is
 * text, booleans are 0/1 bigints. Same foreign keys without cascades, same unique
 * constraints. The queue queries (due, claimable, running, pending) get partial indexes:
 * those rows are a small slice of tables that keep every finished jobstate and run until
 * housekeeping.
 */
export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('orgs')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('name', text, (c) => c.notNull().unique())
      .addColumn('created_at', integer, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('org_id', text, (c) => c.references('orgs.id'))
      .addColumn('name', text, (c) => c.notNull().unique())
      .addColumn('role', text, (c) => c.notNull())
      .addColumn('password_hash', text)
      .addColumn('disabled', integer, (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', integer, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('users_org').on('users').columns(['org_id', 'id']).execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('user_id', text, (c) => c.notNull().references('users.id'))
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('hash', text, (c) => c.notNull().unique())
      .addColumn('created_at', integer, (c) => c.notNull())
      .addColumn('expires_at', integer)
      .addColumn('revoked_at', integer)
      .addColumn('last_used_at', integer)
      .execute();
    await db.schema.createIndex('api_tokens_user').on('api_tokens').columns(['user_id', 'id']).execute();

    await db.schema
      .createTable('commands')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('org_id', text, (c) => c.references('orgs.id'))
      .addColumn('org_key', text, (c) => c.notNull())
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('description', text, (c) => c.notNull())
      .addColumn('argv', text, (c) => c.notNull())
      .addColumn('params', text, (c) => c.notNull())
      .addColumn('runs_on', text, (c) => c.notNull())
      .addColumn('timeout_seconds', integer, (c) => c.notNull())
      .addColumn('created_at', integer, (c) => c.notNull())
      .addColumn('updated_at', integer, (c) => c.notNull())
      .addUniqueConstraint('commands_org_name', ['org_key', 'name'])
      .execute();

    await db.schema
      .createTable('tasks')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('org_id', text, (c) => c.notNull().references('orgs.id'))
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('description', text, (c) => c.notNull())
      .addColumn('enabled', integer, (c) => c.notNull())
      .addColumn('mode', text, (c) => c.notNull())
      .addColumn('fallback', text, (c) => c.notNull())
      .addColumn('schedule', text, (c) => c.notNull())
      .addColumn('timeslots', text, (c) => c.notNull())
      .addColumn('blackouts', text, (c) => c.notNull())
      .addColumn('active_from', text)
      .addColumn('active_till', text)
      .addColumn('misfire', text, (c) => c.notNull())
      .addColumn('concurrency', text, (c) => c.notNull())
      .addColumn('expire_after_seconds', integer, (c) => c.notNull())
      .addColumn('jobs', text, (c) => c.notNull())
      .addColumn('version', integer, (c) => c.notNull())
      .addColumn('created_at', integer, (c) => c.notNull())
      .addColumn('updated_at', integer, (c) => c.notNull())
      .addUniqueConstraint('tasks_org_name', ['org_id', 'name'])
      .execute();

    await db.schema
      .createTable('triggers')
      .addColumn('task_id', text, (c) => c.primaryKey().references('tasks.id'))
      .addColumn('org_id', text, (c) => c.notNull())
      .addColumn('next_fire_at', integer, (c) => c.notNull())
      .addColumn('task_version', integer, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('triggers_next_fire').on('triggers').columns(['next_fire_at', 'task_id']).execute();

    await createRuns(db);
    await createJobstates(db);

    await db.schema
      .createTable('logs')
      .addColumn('id', integer, (c) => c.primaryKey().generatedAlwaysAsIdentity())
      .addColumn('jobstate_id', text, (c) => c.notNull().references('jobstates.id'))
      .addColumn('attempt', integer, (c) => c.notNull())
      .addColumn('ts', integer, (c) => c.notNull())
      .addColumn('stream', text, (c) => c.notNull())
      .addColumn('line', text, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('logs_jobstate').on('logs').columns(['jobstate_id', 'id']).execute();
    await db.schema.createIndex('logs_ts').on('logs').column('ts').execute();

    await db.schema
      .createTable('ledger')
      .addColumn('task_id', text, (c) => c.notNull())
      .addColumn('job', text, (c) => c.notNull())
      .addColumn('target', text, (c) => c.notNull())
      .addColumn('run_id', text, (c) => c.notNull())
      .addColumn('jobstate_id', text, (c) => c.notNull())
      .addColumn('status', text, (c) => c.notNull())
      .addColumn('reason', text)
      .addColumn('result', text)
      .addColumn('at', integer, (c) => c.notNull())
      .addPrimaryKeyConstraint('ledger_pk', ['task_id', 'job', 'target'])
      .execute();

    await db.schema
      .createTable('task_history')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('task_id', text, (c) => c.notNull())
      .addColumn('org_id', text, (c) => c.notNull())
      .addColumn('actor', text)
      .addColumn('action', text, (c) => c.notNull())
      .addColumn('diff', text)
      .addColumn('at', integer, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('task_history_task').on('task_history').columns(['task_id', 'id']).execute();
  },
};

async function createRuns(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('org_id', text, (c) => c.notNull().references('orgs.id'))
    .addColumn('task_id', text, (c) => c.notNull().references('tasks.id'))
    .addColumn('task_version', integer, (c) => c.notNull())
    .addColumn('reason', text, (c) => c.notNull())
    .addColumn('fire_key', text, (c) => c.notNull())
    .addColumn('fire_at', integer, (c) => c.notNull())
    .addColumn('start_at', integer, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('status_reason', text)
    .addColumn('created_at', integer, (c) => c.notNull())
    .addColumn('started_at', integer)
    .addColumn('finished_at', integer)
    .addColumn('created_by', text)
    .addUniqueConstraint('runs_task_fire', ['task_id', 'fire_key'])
    .execute();
  // listStartable.
  await db.schema
    .createIndex('runs_pending_start')
    .on('runs')
    .columns(['start_at', 'id'])
    .where(sql<boolean>`status = 'pending'`)
    .execute();
  await db.schema.createIndex('runs_task_fire_at').on('runs').columns(['task_id', 'fire_at']).execute();
  await db.schema.createIndex('runs_org_created').on('runs').columns(['org_id', 'created_at']).execute();
  // deleteFinishedBefore: the same expression as the query, over terminal runs only.
  await db.schema
    .createIndex('runs_ended')
    .on('runs')
    .expression(sql`coalesce(finished_at, created_at)`)
    .where(sql<boolean>`status not in ('pending', 'running')`)
    .execute();
}

async function createJobstates(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobstates')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('run_id', text, (c) => c.notNull().references('runs.id'))
    .addColumn('org_id', text, (c) => c.notNull())
    .addColumn('task_id', text, (c) => c.notNull())
    .addColumn('job_index', integer, (c) => c.notNull())
    .addColumn('job', text, (c) => c.notNull())
    .addColumn('module', text, (c) => c.notNull())
    .addColumn('agent_id', text)
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('reason', text)
    .addColumn('attempt', integer, (c) => c.notNull())
    .addColumn('params', text, (c) => c.notNull())
    .addColumn('due_at', integer)
    .addColumn('timeout_seconds', integer, (c) => c.notNull())
    .addColumn('prepared_at', integer)
    .addColumn('started_at', integer)
    .addColumn('finished_at', integer)
    .addColumn('lease_owner', text)
    .addColumn('lease_expires_at', integer)
    .addColumn('checkpoint', text)
    .addColumn('result', text)
    .addColumn('updated_at', integer, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobstates_run').on('jobstates').columns(['run_id', 'job_index']).execute();
  await db.schema.createIndex('jobstates_org_module').on('jobstates').columns(['org_id', 'module', 'status']).execute();
  // listDueWaiting and the due part of nextWakeAt.
  await db.schema
    .createIndex('jobstates_waiting_due')
    .on('jobstates')
    .columns(['due_at', 'id'])
    .where(sql<boolean>`status = 'waiting'`)
    .execute();
  // claimServer: the index order is the claim order, so SKIP LOCKED walks it without sorting.
  await db.schema
    .createIndex('jobstates_server_claim')
    .on('jobstates')
    .expression(sql`(coalesce(due_at, 0)), (coalesce(prepared_at, 0)), id`)
    .where(sql<boolean>`status = 'prepared' and agent_id is null`)
    .execute();
  // listTimedOut, listLeaseExpired and the rest of nextWakeAt.
  await db.schema
    .createIndex('jobstates_running_started')
    .on('jobstates')
    .columns(['started_at', 'id'])
    .where(sql<boolean>`status = 'running'`)
    .execute();
  await db.schema
    .createIndex('jobstates_running_lease')
    .on('jobstates')
    .columns(['lease_expires_at', 'id'])
    .where(sql<boolean>`status = 'running'`)
    .execute();
  // listPreparedBefore: agent jobstates nobody fetched.
  await db.schema
    .createIndex('jobstates_agent_prepared')
    .on('jobstates')
    .columns(['prepared_at', 'id'])
    .where(sql<boolean>`status = 'prepared' and agent_id is not null`)
    .execute();
}
