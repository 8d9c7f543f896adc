import { get } from '../../api/client.ts';
import type { ChannelView, DeliveryView, Paged } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { Loaded, Time } from '../../components/ui.tsx';
import { useResource } from '../../lib/use-resource.ts';

/** Deliveries as a table: when, how it went, how often it was tried, the last error, the next try. */
function DeliveryTable({ items, channels }: { items: DeliveryView[]; channels?: ChannelView[] }) {
  const nameOf = (id: string) => channels?.find((c) => c.id === id)?.name ?? id;
  const columns = [...(channels ? ['Channel'] : []), 'Made', 'Status', 'Message', 'Attempts', 'Last error', 'Next try'];
  return (
    <DataTable columns={columns}>
      {items.map((d) => (
        <tr key={d.id}>
          {channels ? <td>{nameOf(d.channelId)}</td> : null}
          <td>
            <Time iso={d.createdAt} />
          </td>
          <td>
            <StatusBadge status={d.status} />
          </td>
          <td>
            {d.summary}
            {d.eventCount > 1 ? <span className="muted small"> ({d.eventCount} run ends)</span> : null}
          </td>
          <td className="num">{d.attempts}</td>
          <td className="small">{d.lastError ?? '—'}</td>
          <td>
            <Time iso={d.nextAttemptAt} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** One channel's delivery log, newest first. */
export function ChannelDeliveries({ channel }: { channel: ChannelView }) {
  const log = useResource(`deliveries-${channel.id}`, () =>
    get<Paged<DeliveryView>>(`/api/v1/channels/${channel.id}/deliveries?limit=50`),
  );
  return (
    <section aria-label={`Deliveries of ${channel.name}`}>
      <Loaded data={log.data} error={log.error} what="The delivery log">
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">Nothing sent to {channel.name} yet.</p>
          ) : (
            <DeliveryTable items={page.items} />
          )
        }
      </Loaded>
    </section>
  );
}

/**
 * What could not be sent: given up (failed) or waiting for another try (retrying), every
 * channel of the org; loaded again when `version` changes (a test was sent).
 */
export function FailedDeliveries({ channels, version }: { channels: ChannelView[]; version: number }) {
  const troubles = useResource(`deliveries-troubles-${version}`, async () => {
    const [failed, retrying] = await Promise.all(
      ['failed', 'retrying'].map((status) => get<Paged<DeliveryView>>(`/api/v1/deliveries?status=${status}&limit=50`)),
    );
    return [...(retrying?.items ?? []), ...(failed?.items ?? [])];
  });
  return (
    <section aria-labelledby="failed-deliveries-title">
      <h2 id="failed-deliveries-title">Failed deliveries</h2>
      <Loaded data={troubles.data} error={troubles.error} what="Failed deliveries">
        {(items) =>
          items.length === 0 ? (
            <p className="empty">Every notification went out.</p>
          ) : (
            <DeliveryTable items={items} channels={channels} />
          )
        }
      </Loaded>
    </section>
  );
}
