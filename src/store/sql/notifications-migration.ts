import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './fleet-migration.ts';

/**
 * Notifications (0014 on every backend; each passes its column types): channels (org or
 * global), the queue of run ends waiting for their channel's next message, the deliveries
 * with their attempts, a task's own rules (`tasks.notify`, null = the org's defaults) and
 * an org's default rules. A channel deleted takes its queue and deliveries with it.
 */
export function notificationsMigration({ text, integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tasks').addColumn('notify', text).execute();
      await db.schema
        .alterTable('orgs')
        .addColumn('notify_defaults', text, (c) => c.notNull().defaultTo(sql`'[]'`))
        .execute();

      await db.schema
        .createTable('channels')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('org_id', text, (c) => c.references('orgs.id'))
        .addColumn('org_key', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('url', text)
        .addColumn('recipients', text, (c) => c.notNull())
        .addColumn('secret', text)
        .addColumn('window_until', integer, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', integer, (c) => c.notNull())
        .addColumn('updated_at', integer, (c) => c.notNull())
        .addUniqueConstraint('channels_org_name', ['org_key', 'name'])
        .execute();

      await db.schema
        .createTable('notify_queue')
        .addColumn('channel_id', text, (c) => c.notNull().references('channels.id').onDelete('cascade'))
        .addColumn('run_id', text, (c) => c.notNull())
        .addColumn('org_id', text, (c) => c.notNull())
        .addColumn('event', text, (c) => c.notNull())
        .addColumn('at', integer, (c) => c.notNull())
        .addPrimaryKeyConstraint('notify_queue_pk', ['channel_id', 'run_id'])
        .execute();
      await db.schema.createIndex('notify_queue_channel_at').on('notify_queue').columns(['channel_id', 'at']).execute();

      await db.schema
        .createTable('deliveries')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('channel_id', text, (c) => c.notNull().references('channels.id').onDelete('cascade'))
        .addColumn('org_id', text)
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('content', text, (c) => c.notNull())
        .addColumn('event_count', integer, (c) => c.notNull())
        .addColumn('attempts', integer, (c) => c.notNull())
        .addColumn('last_error', text)
        .addColumn('next_attempt_at', integer)
        .addColumn('delivered_at', integer)
        .addColumn('lease_owner', text)
        .addColumn('lease_expires_at', integer)
        .addColumn('created_at', integer, (c) => c.notNull())
        .addColumn('updated_at', integer, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('deliveries_due').on('deliveries').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('deliveries_channel').on('deliveries').columns(['channel_id', 'id']).execute();
      await db.schema.createIndex('deliveries_org').on('deliveries').columns(['org_id', 'id']).execute();
      await db.schema.createIndex('deliveries_updated').on('deliveries').column('updated_at').execute();
    },
  };
}
