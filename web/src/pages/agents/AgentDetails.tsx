import { useState } from 'react';
import { ApiError, api, get } from '../../api/client.ts';
import type { AgentDiagnosticsView, AgentView } from '../../api/types.ts';
import { LedgerTable } from '../../components/LedgerTable.tsx';
import { ErrorNote, Field, Loaded, NotAvailable, Time } from '../../components/ui.tsx';
import { useResource } from '../../lib/use-resource.ts';
import { href } from '../../router.ts';
import { useSession } from '../../session.tsx';
import { AgentReenrol } from './AgentReenrol.tsx';
import { PresenceBadge } from './AgentsPage.tsx';
import { InventoryView } from './InventoryView.tsx';

/** One agent: facts, editable name/tags/enabled, "why isn't it running" and its inventory. */
export function AgentDetails({ id, onChanged }: { id: string; onChanged(): void }) {
  const diagnostics = useResource(`diagnostics-${id}`, () =>
    get<AgentDiagnosticsView>(`/api/v1/agents/${id}/diagnostics`),
  );
  const agent = useResource(`agent-${id}`, () => get<AgentView>(`/api/v1/agents/${id}`));
  return (
    <section className="card agent-details" aria-label="Agent details">
      <Loaded data={agent.data} error={agent.error} what="Agent details">
        {(a) => (
          <>
            <div className="page-head">
              <h2>{a.name}</h2>
              <PresenceBadge presence={a.presence} />
            </div>
            <dl className="facts">
              <div>
                <dt>Last contact</dt>
                <dd>
                  <Time iso={a.lastContactAt} />
                </dd>
              </div>
              <div>
                <dt>Next contact expected</dt>
                <dd>
                  <Time iso={a.nextContactAt} />
                </dd>
              </div>
              <div>
                <dt>Contacts every</dt>
                <dd>{a.contactSeconds} s</dd>
              </div>
              <div>
                <dt>Modules</dt>
                <dd>{a.modules.join(', ') || '—'}</dd>
              </div>
              <div>
                <dt>Push address</dt>
                <dd>{a.wakeUrl ?? 'pull only'}</dd>
              </div>
              <div>
                <dt>Last wake error</dt>
                <dd>
                  {a.lastWakeError ? (
                    <>
                      {a.lastWakeError} (<Time iso={a.lastWakeErrorAt} />)
                    </>
                  ) : (
                    'none'
                  )}
                </dd>
              </div>
              <div>
                <dt>Device id</dt>
                <dd className="mono small">{a.deviceId}</dd>
              </div>
              <div>
                <dt>Tags it asked for</dt>
                <dd>{a.requestedTags.join(', ') || '—'}</dd>
              </div>
            </dl>
            <AgentEditor
              agent={a}
              onSaved={(next) => {
                agent.setData(() => next);
                onChanged();
              }}
            />
            <AgentReenrol agent={a} onSaved={(next) => agent.setData(() => next)} />
          </>
        )}
      </Loaded>
      <h3>Why isn’t it running?</h3>
      {diagnostics.error?.missingRoute ? (
        <NotAvailable what="Diagnostics" />
      ) : (
        <Loaded data={diagnostics.data} error={diagnostics.error} what="Diagnostics">
          {(d) =>
            d.items.length === 0 ? (
              <p className="muted">Nothing is waiting for this agent.</p>
            ) : (
              <ul className="diagnoses">
                {d.items.map((item) => (
                  <li key={item.jobstateId}>
                    <span className={`diag-code diag-${item.code}`}>{item.code.replace(/_/g, ' ')}</span>{' '}
                    <a href={href(`/runs/${item.runId}`)}>
                      {item.task ?? 'deleted task'} / {item.job}
                    </a>{' '}
                    — {item.message}
                    {item.until ? (
                      <>
                        {' '}
                        (until <Time iso={item.until} />)
                      </>
                    ) : null}
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
      )}
      <h3>Last outcomes</h3>
      <LedgerTable agent={id} />
      <h3>Inventory</h3>
      <InventoryView agentId={id} />
    </section>
  );
}

function AgentEditor({ agent, onSaved }: { agent: AgentView; onSaved(agent: AgentView): void }) {
  const { canAdmin } = useSession();
  const [name, setName] = useState(agent.name);
  const [tags, setTags] = useState(agent.tags.join(', '));
  const [error, setError] = useState<ApiError | null>(null);
  if (!canAdmin) return null;
  const save = async (patch: Record<string, unknown>) => {
    setError(null);
    try {
      onSaved(await api<AgentView>('PATCH', `/api/v1/agents/${agent.id}`, patch));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'client', String(err)));
    }
  };
  return (
    <form
      className="row agent-editor"
      aria-label="Edit agent"
      onSubmit={(e) => {
        e.preventDefault();
        save({
          name,
          tags: tags
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
        });
      }}
    >
      <Field label="Agent name">
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Agent tags" hint="comma-separated; the tags the agent asked for target nothing until added here">
        <input value={tags} onChange={(e) => setTags(e.target.value)} />
      </Field>
      <button type="submit">Save agent</button>
      <button type="button" onClick={() => save({ enabled: !agent.enabled })}>
        {agent.enabled ? 'Disable agent' : 'Enable agent'}
      </button>
      <ErrorNote error={error} />
    </form>
  );
}
