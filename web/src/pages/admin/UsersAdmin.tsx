import { type FormEvent, useState } from 'react';
import { ApiError, getAll, post } from '../../api/client.ts';
import type { OrgView, UserView } from '../../api/types.ts';
import { ErrorNote, Field, Loaded, Time } from '../../components/ui.tsx';
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
        <Field label="Organisation">
          <select value={org} onChange={(e) => setPickedOrg(e.target.value)}>
            {(orgs.data ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </Field>
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
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Sign-in</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
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
              </tbody>
            </table>
          </div>
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
  const [error, setError] = useState<ApiError | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await post(`/api/v1/orgs/${org}/users`, { name, role, ...(password ? { password } : {}) });
      setName('');
      setPassword('');
      onCreated();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'client', String(err)));
    }
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-user-title">
      <h3 id="new-user-title">Add a user</h3>
      <div className="row">
        <Field label="User name">
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Role">
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="org-admin">org-admin</option>
          </select>
        </Field>
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
      <ErrorNote error={error} />
    </form>
  );
}
