import type { Selectable } from 'kysely';
import type { Channel, ChannelRepo } from '../../core/ports/notifications.ts';
import { atomic, type SqlContext, writing } from './context.ts';
import type { ChannelTable } from './notify-schema.ts';
import { listOrgOrGlobal, usableOrgKeys } from './org-or-global.ts';
import { commandOrgKey } from './rows.ts';

export const toChannel = (row: Selectable<ChannelTable>): Channel => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  kind: row.kind as Channel['kind'],
  url: row.url,
  to: JSON.parse(row.recipients) as string[],
  secret: row.secret,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** A channel's scope key: its org, or '' for a global one (the same rule as commands). */
const orgKey = commandOrgKey;

export function channelRepo(ctx: SqlContext): ChannelRepo {
  const { db } = ctx;
  return {
    async create(channel) {
      await writing(
        ctx,
        `channel "${channel.name}"`,
        () =>
          db
            .insertInto('channels')
            .values({
              id: channel.id,
              org_id: channel.orgId,
              org_key: orgKey(channel.orgId),
              name: channel.name,
              kind: channel.kind,
              url: channel.url,
              recipients: JSON.stringify(channel.to),
              secret: channel.secret,
              created_at: channel.createdAt,
              updated_at: channel.updatedAt,
            })
            .execute(),
        'channel_name_taken',
      );
      return channel;
    },

    async get(id) {
      const row = await db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toChannel(row) : null;
    },

    /** '' (global) sorts before any org id: the org's own channel comes first. */
    async resolve(orgId, name) {
      const row = await db
        .selectFrom('channels')
        .selectAll()
        .where('name', '=', name)
        .where('org_key', 'in', usableOrgKeys(orgId))
        .orderBy('org_key', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toChannel(row) : null;
    },

    list: (orgId, page) => listOrgOrGlobal(db, { table: 'channels', orgId, page }, toChannel),

    async update(id, patch) {
      const result = await db
        .updateTable('channels')
        .set({
          updated_at: patch.updatedAt,
          ...(patch.url === undefined ? {} : { url: patch.url }),
          ...(patch.to === undefined ? {} : { recipients: JSON.stringify(patch.to) }),
          ...(patch.secret === undefined ? {} : { secret: patch.secret }),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async delete(id) {
      await atomic(ctx, async (tx) => {
        await tx.deleteFrom('notify_queue').where('channel_id', '=', id).execute();
        await tx.deleteFrom('deliveries').where('channel_id', '=', id).execute();
        await tx.deleteFrom('channels').where('id', '=', id).execute();
      });
    },
  };
}
