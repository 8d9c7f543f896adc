import { getAll } from '../../api/client.ts';
import type { DeviceView } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { Loaded, Time } from '../../components/ui.tsx';
import { useResource } from '../../lib/use-resource.ts';

/** Machines network discovery found (no agent on them necessarily). */
export function DevicesList({ refreshed }: { refreshed: number }) {
  const devices = useResource(`devices-${refreshed}`, () => getAll<DeviceView>('/api/v1/devices'));
  return (
    <section className="card" aria-labelledby="devices-title">
      <h2 id="devices-title">Discovered devices</h2>
      <Loaded data={devices.data} error={devices.error} what="Network discovery">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No device discovered yet: run a network discovery task.</p>
          ) : (
            <DataTable columns={['Address', 'Host name', 'Open ports', 'First seen', 'Last seen']}>
              {list.map((d) => (
                <tr key={d.id}>
                  <td className="mono">{d.ip}</td>
                  <td>{d.hostname ?? '—'}</td>
                  <td>{d.ports.join(', ') || '—'}</td>
                  <td>
                    <Time iso={d.firstSeen} />
                  </td>
                  <td>
                    <Time iso={d.lastSeen} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Loaded>
    </section>
  );
}
