import { Fragment, useState } from 'react';
import { type ApiError, getAll, post } from '../../api/client.ts';
import type { ChannelView, DeliveryView } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { DeleteButton } from '../../components/DeleteButton.tsx';
import { CardForm } from '../../components/forms.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { ErrorNote, Field, Loaded, SecretOnce } from '../../components/ui.tsx';
import { asApiError, useSubmit } from '../../lib/use-action.ts';
import { useResource } from '../../lib/use-resource.ts';
import { useSession } from '../../session.tsx';
import { ChannelDeliveries, FailedDeliveries } from './DeliveryLog.tsx';
import { OrgNotifyDefaults } from './OrgNotifyDefaults.tsx';

/** Where the channel goes; only who manages it is told (the server leaves it out for the others). */
const destinationOf = (c: ChannelView) => (c.kind === 'email' ? (c.to ?? []).join(', ') : (c.url ?? '')) || '—';
/** The server shows the destination to those who manage the channel: they may also test, change, delete it. */
const manages = (c: ChannelView) => c.url !== undefined || c.to !== undefined;

/**
 * Notification channels (webhook, email): the list with each one's delivery log and a
 * "send test" button, a form to add one (org-admins), the deliveries that failed, and the
 * org's default rules. Secrets are never shown again once written.
 */
export function ChannelsAdmin() {
  const { canAdmin, me } = useSession();
  const channels = useResource('channels', () => getAll<ChannelView>('/api/v1/channels'));
  const [error, setError] = useState<ApiError | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [tested, setTested] = useState<{ name: string; delivery: DeliveryView } | null>(null);
  const [tests, setTests] = useState(0);
  const test = (c: ChannelView) => {
    setError(null);
    setTested(null);
    post<DeliveryView>(`/api/v1/channels/${c.id}/test`).then(
      (delivery) => {
        setTested({ name: c.name, delivery });
        setTests((n) => n + 1);
      },
      (err: unknown) => setError(asApiError(err)),
    );
  };
  return (
    <section aria-label="Notification channels">
      <Loaded data={channels.data} error={channels.error} what="Notification channels">
        {(list) =>
          list.length === 0 ? (
            <p className="empty">No channel: runs end without telling anyone.</p>
          ) : (
            <DataTable columns={['Name', 'Kind', 'Destination']} actions>
              {list.map((c) => (
                <Fragment key={c.id}>
                  <tr>
                    <td>
                      {c.name}
                      {c.orgId === null ? <span className="muted"> (global)</span> : null}
                    </td>
                    <td>{c.kind}</td>
                    <td className="mono small">{destinationOf(c)}</td>
                    <td className="actions">
                      <button
                        type="button"
                        onClick={() => setOpen(open === c.id ? null : c.id)}
                        aria-expanded={open === c.id}
                      >
                        Deliveries of {c.name}
                      </button>
                      {canAdmin && manages(c) ? (
                        <>
                          <button type="button" onClick={() => test(c)}>
                            Send a test to {c.name}
                          </button>
                          <DeleteButton
                            path={`/api/v1/channels/${c.id}`}
                            confirm={`Delete the channel "${c.name}" and its delivery log?`}
                            onDone={channels.reload}
                            onError={setError}
                          >
                            Delete {c.name}
                          </DeleteButton>
                        </>
                      ) : null}
                    </td>
                  </tr>
                  {open === c.id ? (
                    <tr>
                      <td colSpan={4}>
                        <ChannelDeliveries channel={c} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </DataTable>
          )
        }
      </Loaded>
      {tested ? (
        <p role="status" className={tested.delivery.status === 'delivered' ? 'ok-note' : 'error-note'}>
          Test message to {tested.name}:{' '}
          {tested.delivery.status === 'delivered' ? 'sent' : `failed (${tested.delivery.lastError ?? 'unknown'})`}
        </p>
      ) : null}
      <ErrorNote error={error} />
      {canAdmin ? <NewChannel onCreated={channels.reload} /> : null}
      <FailedDeliveries channels={channels.data ?? []} version={tests} />
      {me.orgId ? <OrgNotifyDefaults org={me.orgId} channels={(channels.data ?? []).map((c) => c.name)} /> : null}
    </section>
  );
}

function NewChannel({ onCreated }: { onCreated(): void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState('webhook');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [to, setTo] = useState('');
  const [generated, setGenerated] = useState<string | null>(null);
  const { submit, error } = useSubmit(async () => {
    const body =
      kind === 'webhook'
        ? { name, kind, url, ...(secret ? { secret } : {}) }
        : {
            name,
            kind,
            to: to
              .split(',')
              .map((a) => a.trim())
              .filter(Boolean),
          };
    const made = await post<ChannelView>('/api/v1/channels', body);
    setGenerated(kind === 'webhook' && !secret ? (made.secret ?? null) : null);
    setName('');
    setUrl('');
    setSecret('');
    setTo('');
    onCreated();
  });
  return (
    <CardForm titleId="new-channel-title" title="Add a channel" onSubmit={submit} error={error}>
      {generated ? (
        <SecretOnce label="The webhook's signing secret" secret={generated} onDone={() => setGenerated(null)} />
      ) : null}
      <div className="row">
        <Field label="Channel name" hint="tasks name it in their rules">
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <SelectField label="Kind" value={kind} onChange={setKind} choices={['webhook', 'email']} />
      </div>
      {kind === 'webhook' ? (
        <div className="row">
          <Field label="Webhook URL" hint="the server POSTs JSON here; the allow list decides which hosts" wide>
            <input required type="url" value={url} onChange={(e) => setUrl(e.target.value)} />
          </Field>
          <Field label="Signing secret" hint="optional: one is generated and shown once">
            <input
              type="password"
              autoComplete="new-password"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
            />
          </Field>
        </div>
      ) : (
        <div className="row">
          <Field label="Recipients" hint="comma-separated addresses" wide>
            <input required value={to} onChange={(e) => setTo(e.target.value)} />
          </Field>
        </div>
      )}
      <button type="submit" className="primary">
        Add channel
      </button>
    </CardForm>
  );
}
