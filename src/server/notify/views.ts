import type { MessageContent } from '../../core/notify.ts';
import type { Channel, Delivery } from '../../core/ports/notifications.ts';
import type { ChannelView, DeliveryView } from '../../protocol/channels.ts';
import { iso, isoOrNull } from '../views.ts';

/** A secret is never shown again once written; `manager` (who may change the channel) also sees where it goes. */
export function channelView(channel: Channel, manager: boolean): ChannelView {
  const base = {
    id: channel.id,
    orgId: channel.orgId,
    name: channel.name,
    kind: channel.kind,
    createdAt: iso(channel.createdAt),
    updatedAt: iso(channel.updatedAt),
  };
  if (!manager) return base;
  if (channel.kind === 'email') return { ...base, to: channel.to };
  return { ...base, url: channel.url ?? '', secret: channel.secret === null ? null : '***' };
}

export function deliveryView(delivery: Delivery): DeliveryView {
  return {
    id: delivery.id,
    channelId: delivery.channelId,
    status: delivery.status,
    event: delivery.content.event,
    summary: delivery.content.summary,
    eventCount: delivery.eventCount,
    runs: runsOf(delivery.content),
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    nextAttemptAt: isoOrNull(delivery.nextAttemptAt),
    deliveredAt: isoOrNull(delivery.deliveredAt),
    createdAt: iso(delivery.createdAt),
    updatedAt: iso(delivery.updatedAt),
  };
}

function runsOf(content: MessageContent): DeliveryView['runs'] {
  const events = content.event === 'test' ? [] : content.event === 'digest' ? content.events : [content];
  return events.map((e) => ({ id: e.run.id, taskId: e.task.id, task: e.task.name, event: e.event }));
}
