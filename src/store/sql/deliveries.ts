import type { Selectable } from 'kysely';
import type { RunStatus } from '../../core/model.ts';
import { NOTIFIED_RUN_STATUSES } from '../../core/notify.ts';
import type { Delivery, DeliveryRepo, QueuedEvent } from '../../core/ports/notifications.ts';
import { toChannel } from './channels.ts';
import { affected, atomic, clampLimit, pageWindow, type SqlContext, toPage } from './context.ts';
import type { DeliveryTable } from './notify-schema.ts';

/** Deliveries still to be sent (or sent again). */
const OPEN = ['pending', 'retrying'];
const ENDED = ['delivered', 'failed'];

const toDelivery = (row: Selectable<DeliveryTable>): Delivery => ({
  id: row.id,
  channelId: row.channel_id,
  orgId: row.org_id,
  status: row.status as Delivery['status'],
  content: JSON.parse(row.content),
  eventCount: row.event_count,
  attempts: row.attempts,
  lastError: row.last_error,
  nextAttemptAt: row.next_attempt_at,
  deliveredAt: row.delivered_at,
  leaseOwner: row.lease_owner,
  leaseExpiresAt: row.lease_expires_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function deliveryRepo(ctx: SqlContext): DeliveryRepo {
  const { db, capabilities } = ctx;
  return {
    async enqueue(events) {
      if (events.length === 0) return;
      await db
        .insertInto('notify_queue')
        .values(
          events.map((e) => ({
            channel_id: e.channelId,
            run_id: e.runId,
            org_id: e.orgId,
            event: JSON.stringify(e.event),
            at: e.at,
          })),
        )
        .onConflict((oc) => oc.columns(['channel_id', 'run_id']).doNothing())
        .execute();
    },

    /** Walks the task's runs back from `run` by fire time (the runs_task_fire_at index); a run never counts itself. */
    async previousOutcome(taskId, run) {
      const row = await db
        .selectFrom('runs')
        .select('status')
        .where('task_id', '=', taskId)
        .where('status', 'in', NOTIFIED_RUN_STATUSES as string[])
        .where('id', '!=', run.id)
        .where((eb) =>
          eb.or([eb('fire_at', '<', run.fireAt), eb.and([eb('fire_at', '=', run.fireAt), eb('id', '<', run.id)])]),
        )
        .orderBy('fire_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? (row.status as RunStatus) : null;
    },

    async hasQueued(now) {
      const row = await db
        .selectFrom('channels')
        .select('id')
        .where('window_until', '<=', now)
        .where((eb) =>
          eb.exists(
            eb.selectFrom('notify_queue').select('run_id').whereRef('notify_queue.channel_id', '=', 'channels.id'),
          ),
        )
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    /**
     * NO KEY UPDATE: the lock a queued event's foreign key takes on its channel (KEY SHARE)
     * does not conflict with it, so a run ending meanwhile neither waits nor makes this skip.
     */
    async takeQueued(now, windowMs, limits) {
      return atomic(ctx, async (tx) => {
        const channels = await tx
          .selectFrom('channels')
          .selectAll()
          .where('window_until', '<=', now)
          .where((eb) =>
            eb.exists(
              eb.selectFrom('notify_queue').select('run_id').whereRef('notify_queue.channel_id', '=', 'channels.id'),
            ),
          )
          .orderBy('window_until')
          .orderBy('id')
          .limit(clampLimit(limits.channels))
          .$if(capabilities.skipLocked, (q) => q.forNoKeyUpdate().skipLocked())
          .execute();
        const taken: { channel: ReturnType<typeof toChannel>; events: QueuedEvent[] }[] = [];
        for (const row of channels) {
          const events = await tx
            .selectFrom('notify_queue')
            .selectAll()
            .where('channel_id', '=', row.id)
            .orderBy('at')
            .orderBy('run_id')
            .limit(clampLimit(limits.perChannel))
            .execute();
          await tx
            .deleteFrom('notify_queue')
            .where('channel_id', '=', row.id)
            .where(
              'run_id',
              'in',
              events.map((e) => e.run_id),
            )
            .execute();
          await tx
            .updateTable('channels')
            .set({ window_until: now + windowMs })
            .where('id', '=', row.id)
            .execute();
          taken.push({
            channel: toChannel(row),
            events: events.map((e) => ({
              channelId: e.channel_id,
              runId: e.run_id,
              orgId: e.org_id,
              event: JSON.parse(e.event),
              at: e.at,
            })),
          });
        }
        return taken;
      });
    },

    async insert(d) {
      await db
        .insertInto('deliveries')
        .values({
          id: d.id,
          channel_id: d.channelId,
          org_id: d.orgId,
          status: d.status,
          content: JSON.stringify(d.content),
          event_count: d.eventCount,
          attempts: d.attempts,
          last_error: d.lastError,
          next_attempt_at: d.nextAttemptAt,
          delivered_at: d.deliveredAt,
          lease_owner: d.leaseOwner,
          lease_expires_at: d.leaseExpiresAt,
          created_at: d.createdAt,
          updated_at: d.updatedAt,
        })
        .execute();
    },

    async get(id) {
      const row = await db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toDelivery(row) : null;
    },

    /**
     * One message per channel at a time, the channel's earliest due first: a channel whose
     * receiver hangs holds one sender, not all of them, and its messages go in order. The
     * pick is a MATERIALIZED CTE, run once: see jobstate-claims.ts for why.
     */
    async claimDue(owner, now, leaseUntil, limit) {
      const picked = db
        .selectFrom('deliveries')
        .select('id')
        .where('status', 'in', OPEN)
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('deliveries as ahead')
                .select('ahead.id')
                .whereRef('ahead.channel_id', '=', 'deliveries.channel_id')
                .where('ahead.status', 'in', OPEN)
                .where((a) =>
                  a.or([
                    a('ahead.next_attempt_at', '<', a.ref('deliveries.next_attempt_at')),
                    a.and([
                      a('ahead.next_attempt_at', '=', a.ref('deliveries.next_attempt_at')),
                      a('ahead.id', '<', a.ref('deliveries.id')),
                    ]),
                  ]),
                ),
            ),
          ),
        )
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(clampLimit(limit))
        .$if(capabilities.skipLocked, (q) => q.forUpdate().skipLocked());
      const rows = await db
        .with(
          (cte) => cte('picked').materialized(),
          () => picked,
        )
        .updateTable('deliveries')
        .set((eb) => ({
          lease_owner: owner,
          lease_expires_at: leaseUntil,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
        .returningAll()
        .execute();
      return rows.map(toDelivery).sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0));
    },

    async endAttempt(id, owner, end) {
      const result = await db
        .updateTable('deliveries')
        .set({
          status: end.status,
          last_error: end.lastError,
          next_attempt_at: end.nextAttemptAt,
          delivered_at: end.deliveredAt,
          updated_at: end.updatedAt,
          lease_owner: null,
          lease_expires_at: null,
        })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async list(filter, page) {
      const { after, limit } = pageWindow(page);
      if (filter.status?.length === 0) return { items: [], next: null };
      const rows = await db
        .selectFrom('deliveries')
        .selectAll()
        .$if(filter.orgId !== undefined, (q) => q.where('org_id', '=', filter.orgId as string))
        .$if(filter.channelId !== undefined, (q) => q.where('channel_id', '=', filter.channelId as string))
        .$if(filter.status !== undefined, (q) => q.where('status', 'in', filter.status as string[]))
        .$if(after !== undefined, (q) => q.where('id', '<', after as string))
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toDelivery);
    },

    /** One statement of three scalar subqueries: an idle delivery loop's one read a pass. */
    async nextDueAt() {
      const row = await db
        .selectNoFrom((eb) => [
          eb
            .selectFrom('deliveries')
            .select((sub) => sub.fn.min('next_attempt_at').as('at'))
            .where('status', 'in', OPEN)
            .where('lease_owner', 'is', null)
            .as('free'),
          eb
            .selectFrom('deliveries')
            .select((sub) => sub.fn.min('lease_expires_at').as('at'))
            .where('status', 'in', OPEN)
            .where('lease_owner', 'is not', null)
            .as('leased'),
          eb
            .selectFrom('channels')
            .select((sub) => sub.fn.min('window_until').as('at'))
            .where((sub) =>
              sub.exists(
                sub.selectFrom('notify_queue').select('run_id').whereRef('notify_queue.channel_id', '=', 'channels.id'),
              ),
            )
            .as('channel'),
        ])
        .executeTakeFirst();
      const times = [row?.free, row?.leased, row?.channel].filter((at) => at != null).map(Number);
      return times.length === 0 ? null : Math.min(...times);
    },

    async deleteEndedBefore(before, limit) {
      return atomic(ctx, async (tx) => {
        const rows = await tx
          .selectFrom('deliveries')
          .select('id')
          .where('status', 'in', ENDED)
          .where('updated_at', '<', before)
          .orderBy('id')
          .limit(clampLimit(limit))
          .execute();
        if (rows.length === 0) return 0;
        const result = await tx
          .deleteFrom('deliveries')
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .executeTakeFirst();
        return affected(result.numDeletedRows);
      });
    },
  };
}
