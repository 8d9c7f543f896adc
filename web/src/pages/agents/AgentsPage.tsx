import { useState } from 'react';
import { getAll } from '../../api/client.ts';
import type { AgentView } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { FilterForm } from '../../components/forms.tsx';
import { type Choice, SelectField } from '../../components/SelectField.tsx';
import { Loaded } from '../../components/ui.tsx';
import { formatRelative } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { navigate, type Route } from '../../router.ts';
import { useSession } from '../../session.tsx';
import { AgentDetails } from './AgentDetails.tsx';
import { DevicesList } from './DevicesList.tsx';
import { EnrolmentTokens } from './EnrolmentTokens.tsx';

const PRESENCES: Choice[] = ['online', 'offline', { value: 'never', label: 'never seen' }];

export function PresenceBadge({ presence }: { presence: AgentView['presence'] }) {
  const icon = presence === 'online' ? '●' : presence === 'offline' ? '○' : '◌';
  return (
    <span className={`presence presence-${presence}`}>
      <span aria-hidden="true">{icon}</span> {presence === 'never' ? 'never seen' : presence}
    </span>
  );
}

/** The fleet: presence from last contact, tags, versions; one agent opens with its details. */
export function AgentsPage({ route }: { route: Route }) {
  const { canAdmin } = useSession();
  const agents = useResource('agents', () => getAll<AgentView>('/api/v1/agents'));
  const [refreshed, setRefreshed] = useState(0);
  const [tag, setTag] = useState('');
  const [presence, setPresence] = useState('');
  const open = route.query.get('agent');
  const tags = [...new Set((agents.data ?? []).flatMap((a) => a.tags))].sort();
  const shown = (agents.data ?? []).filter(
    (a) => (!tag || a.tags.includes(tag)) && (!presence || a.presence === presence),
  );
  return (
    <div className="page">
      <div className="page-head">
        <h1>Agents</h1>
        <button
          type="button"
          onClick={() => {
            agents.reload();
            setRefreshed((n) => n + 1);
          }}
        >
          Refresh
        </button>
      </div>
      <Loaded data={agents.data} error={agents.error} what="Agent management">
        {(all) => (
          <>
            <FilterForm label="Filter agents">
              <SelectField label="Tag" value={tag} onChange={setTag} choices={tags} any />
              <SelectField label="Presence" value={presence} onChange={setPresence} choices={PRESENCES} any />
            </FilterForm>
            {all.length === 0 ? (
              <p className="empty">No agent enrolled yet{canAdmin ? ': create an enrolment token below.' : '.'}</p>
            ) : (
              <DataTable columns={['Name', 'Presence', 'Last contact', 'Tags', 'Version', 'Mode']}>
                {shown.map((a) => (
                  <tr key={a.id} className={a.id === open ? 'selected' : undefined}>
                    <td>
                      <button
                        type="button"
                        className="link-button"
                        aria-expanded={a.id === open}
                        onClick={() => navigate('/agents', { agent: a.id === open ? undefined : a.id })}
                      >
                        {a.name}
                      </button>
                      {a.enabled ? null : <span className="muted"> (disabled)</span>}
                    </td>
                    <td>
                      <PresenceBadge presence={a.presence} />
                    </td>
                    <td title={a.lastContactAt ?? ''}>{formatRelative(a.lastContactAt)}</td>
                    <td>{a.tags.join(', ')}</td>
                    <td>{a.version ?? '—'}</td>
                    <td>{a.wakeUrl ? 'push + pull' : 'pull'}</td>
                  </tr>
                ))}
              </DataTable>
            )}
            {open ? <AgentDetails key={open} id={open} onChanged={agents.reload} /> : null}
          </>
        )}
      </Loaded>
      {canAdmin ? <EnrolmentTokens refreshed={refreshed} /> : null}
      <DevicesList refreshed={refreshed} />
    </div>
  );
}
