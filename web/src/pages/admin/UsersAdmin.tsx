import { useState } from 'react';
import { type ApiError, getAll, post } from '../../api/client.ts';
import type { OrgView, UserView } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { CardForm } from '../../components/forms.tsx';
import { choicesOf, SelectField } from '../../components/SelectField.tsx';
import { ErrorNote, Field, Loaded, Time } from '../../components/ui.tsx';
import { useSubmit } from '../../lib/use-action.ts';
import { useResource } from '../../lib/use-resource.ts';
import { useSession } from '../../session.tsx';
import { TokensOf } from './TokensOf.tsx';

/** The org's users (org-admins) and everyone's own API tokens. */
export function UsersAdmin() {
  const { me, canAdmin } = useSession();
  const orgs = useResource(me.orgId === null ? 'orgs' : null, () => getAll<OrgView>('/api/v1/orgs'));
  const [pickedOrg, setPickedOrg] = useState('');
  const org = me.orgId ?? (pickedOrg || orgs.data?.[0]?.id || '');
  return (
    <section aria-label="Users and tokens">
      {canAdmin && me.orgId === null ? (
        <SelectField label="Organisation" value={org} onChange={setPickedOrg} choices={choicesOf(orgs.data)} />
      ) : null}
      {canAdmin && org ? <OrgUsers key={org} org={org} /> : null}
      <h2>My API tokens</h2>
      <TokensOf user={me} />
    </section>
  );
}

function OrgUsers({ org }: { org: string }) {
  const { me } = useSession();
  const users = useResource(`users-${org}`, () => getAll<UserView>(`/api/v1/orgs/${org}/users`));
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const toggle = (u: UserView) =>
    post(`/api/v1/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`).then(users.reload, setError);
  return (
    <>
      <h2>Users</h2>
      <Loaded data={users.data} error={users.error} what="User management">
        {(list) => (
          <DataTable columns={['Name', 'Role', 'Sign-in', 'Created']} actions>
            {list.map((u) => (
              <tr key={u.id}>
                <td>
                  {u.name}
                  {u.disabled ? <span className="muted"> (disabled)</span> : null}
                </td>
                <td>{u.role}</td>
                <td>{u.hasPassword ? 'password' : 'tokens only'}</td>
                <td>
                  <Time iso={u.createdAt} />
                </td>
                <td className="actions">
                  <button
                    type="button"
                    onClick={() => setOpen(open === u.id ? null : u.id)}
                    aria-expanded={open === u.id}
                  >
                    Tokens of {u.name}
                  </button>
                  {u.id === me.id ? null : (
                    <button type="button" onClick={() => toggle(u)}>
                      {u.disabled ? 'Enable' : 'Disable'} {u.name}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Loaded>
      <ErrorNote error={error} />
      {open && users.data?.some((u) => u.id === open) ? (
        <section className="card" aria-label="Tokens of the user">
          <TokensOf key={open} user={users.data.find((u) => u.id === open) as UserView} />
        </section>
      ) : null}
      <NewUser org={org} onCreated={users.reload} />
    </>
  );
}

function NewUser({ org, onCreated }: { org: string; onCreated(): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('operator');
  const [password, setPassword] = useState('');
  const { submit, error } = useSubmit(async () => {
    await post(`/api/v1/orgs/${org}/users`, { name, role, ...(password ? { password } : {}) });
    setName('');
    setPassword('');
    onCreated();
  });
  return (
    <CardForm titleId="new-user-title" title="Add a user" level={3} onSubmit={submit} error={error}>
      <div className="row">
        <Field label="User name">
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <SelectField label="Role" value={role} onChange={setRole} choices={['viewer', 'operator', 'org-admin']} />
        <Field label="Password" hint="8 characters or more; empty for a token-only user">
          <input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <button type="submit" className="primary">
          Add user
        </button>
      </div>
    </CardForm>
  );
}
