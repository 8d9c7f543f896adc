import { type FormEvent, useState } from 'react';
import { ApiError, del, getAll, post } from '../../api/client.ts';
import type { CreatedToken, TokenView, UserView } from '../../api/types.ts';
import { ErrorNote, Field, Loaded, SecretOnce, Time } from '../../components/ui.tsx';
import { useResource } from '../../lib/use-resource.ts';

/** A user's API tokens: create one (shown once), see when each was used, revoke. */
export function TokensOf({ user }: { user: UserView }) {
  const tokens = useResource(`tokens-${user.id}`, () => getAll<TokenView>(`/api/v1/users/${user.id}/tokens`));
  const [name, setName] = useState('');
  const [expiresIn, setExpiresIn] = useState('90d');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const made = await post<CreatedToken>(`/api/v1/users/${user.id}/tokens`, {
        name,
        ...(expiresIn ? { expiresIn } : {}),
      });
      setCreated(made.token);
      setName('');
      tokens.reload();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'client', String(err)));
    }
  }

  return (
    <div className="tokens">
      <h3>Tokens of {user.name}</h3>
      {created ? <SecretOnce label="New API token" secret={created} onDone={() => setCreated(null)} /> : null}
      <Loaded data={tokens.data} error={tokens.error} what="Tokens">
        {(list) => {
          const live = list.filter((t) => t.revokedAt === null && t.name !== 'session');
          return live.length === 0 ? (
            <p className="muted">No API token.</p>
          ) : (
            <ul className="token-list">
              {live.map((t) => (
                <li key={t.id}>
                  <strong>{t.name}</strong> — created <Time iso={t.createdAt} />, expires{' '}
                  {t.expiresAt ? <Time iso={t.expiresAt} /> : 'never'}, last used <Time iso={t.lastUsedAt} />{' '}
                  <button
                    type="button"
                    className="danger"
                    onClick={() => del(`/api/v1/tokens/${t.id}`).then(tokens.reload, setError)}
                  >
                    Revoke {t.name}
                  </button>
                </li>
              ))}
            </ul>
          );
        }}
      </Loaded>
      <form className="row" onSubmit={create} aria-label={`New token for ${user.name}`}>
        <Field label="Token name">
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Token expires in" hint='e.g. "90d"; empty = never'>
          <input value={expiresIn} onChange={(e) => setExpiresIn(e.target.value)} />
        </Field>
        <button type="submit">Create token</button>
      </form>
      <ErrorNote error={error} />
    </div>
  );
}
