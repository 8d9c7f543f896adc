import { useState } from 'react';
import { getAll } from '../../api/client.ts';
import type { TokenView, UserView } from '../../api/types.ts';
import { DeleteButton } from '../../components/DeleteButton.tsx';
import { ErrorNote, Field, Loaded, SecretOnce, Time } from '../../components/ui.tsx';
import { useCreateSecret } from '../../lib/use-action.ts';
import { useResource } from '../../lib/use-resource.ts';

/** A user's API tokens: create one (shown once), see when each was used, revoke. */
export function TokensOf({ user }: { user: UserView }) {
  const tokens = useResource(`tokens-${user.id}`, () => getAll<TokenView>(`/api/v1/users/${user.id}/tokens`));
  const [name, setName] = useState('');
  const [expiresIn, setExpiresIn] = useState('90d');
  // Its error line also shows a failed revoke.
  const create = useCreateSecret(
    `/api/v1/users/${user.id}/tokens`,
    () => ({ name, ...(expiresIn ? { expiresIn } : {}) }),
    () => {
      setName('');
      tokens.reload();
    },
  );

  return (
    <div className="tokens">
      <h3>Tokens of {user.name}</h3>
      {create.secret ? <SecretOnce label="New API token" secret={create.secret} onDone={create.dismiss} /> : null}
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
                  <DeleteButton path={`/api/v1/tokens/${t.id}`} onDone={tokens.reload} onError={create.setError}>
                    Revoke {t.name}
                  </DeleteButton>
                </li>
              ))}
            </ul>
          );
        }}
      </Loaded>
      <form className="row" onSubmit={create.submit} aria-label={`New token for ${user.name}`}>
        <Field label="Token name">
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Token expires in" hint='e.g. "90d"; empty = never'>
          <input value={expiresIn} onChange={(e) => setExpiresIn(e.target.value)} />
        </Field>
        <button type="submit">Create token</button>
      </form>
      <ErrorNote error={create.error} />
    </div>
  );
}
