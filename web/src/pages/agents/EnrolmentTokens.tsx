import { useState } from 'react';
import { getAll } from '../../api/client.ts';
import type { CreatedEnrolmentToken, EnrolmentTokenView } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { DeleteButton } from '../../components/DeleteButton.tsx';
import { ErrorNote, Field, Loaded, SecretOnce, Time } from '../../components/ui.tsx';
import { useCreateSecret } from '../../lib/use-action.ts';
import { useResource } from '../../lib/use-resource.ts';
import { AgentSetupLines } from './AgentSetupLines.tsx';

/** Enrolment tokens: create one (shown once, to copy), see what is left of each, revoke. */
export function EnrolmentTokens({ refreshed }: { refreshed: number }) {
  const tokens = useResource(`enrolment-tokens-${refreshed}`, () =>
    getAll<EnrolmentTokenView>('/api/v1/enrolment-tokens'),
  );
  const [uses, setUses] = useState('10');
  const [expiresIn, setExpiresIn] = useState('7d');
  const [tags, setTags] = useState('');
  // Its error line also shows a failed revoke.
  const create = useCreateSecret<CreatedEnrolmentToken>(
    '/api/v1/enrolment-tokens',
    () => {
      const tagList = tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      return { uses: Number(uses), expiresIn, ...(tagList.length > 0 ? { tags: tagList } : {}) };
    },
    tokens.reload,
  );

  return (
    <section className="card" aria-labelledby="enrolment-title">
      <h2 id="enrolment-title">Enrolment tokens</h2>
      <Loaded data={tokens.data} error={tokens.error} what="Agent enrolment">
        {(list) => (
          <>
            {create.created ? (
              <>
                <SecretOnce label="New enrolment token" secret={create.created.token} onDone={create.dismiss} />
                <AgentSetupLines created={create.created} />
              </>
            ) : null}
            <form className="row" onSubmit={create.submit} aria-label="New enrolment token">
              <Field label="Uses">
                <input type="number" min={1} value={uses} onChange={(e) => setUses(e.target.value)} />
              </Field>
              <Field label="Expires in" hint='e.g. "7d", "12h"'>
                <input value={expiresIn} onChange={(e) => setExpiresIn(e.target.value)} />
              </Field>
              <Field label="Tags for its agents" hint="comma-separated">
                <input value={tags} onChange={(e) => setTags(e.target.value)} />
              </Field>
              <button type="submit" className="primary">
                Create token
              </button>
            </form>
            <ErrorNote error={create.error} />
            {list.length === 0 ? (
              <p className="muted">No enrolment token.</p>
            ) : (
              <DataTable columns={['Id', 'Created', 'Tags', 'Uses left', 'Expires', 'State']} actions>
                {list.map((t) => {
                  const usable = !t.revokedAt && t.usesLeft > 0 && Date.parse(t.expiresAt) > Date.now();
                  return (
                    <tr key={t.id}>
                      <td>
                        <code>{t.id}</code>
                      </td>
                      <td>
                        <Time iso={t.createdAt} />
                      </td>
                      <td>{t.tags.join(', ') || '—'}</td>
                      <td className="num">{t.usesLeft}</td>
                      <td>
                        <Time iso={t.expiresAt} />
                      </td>
                      <td>{t.revokedAt ? 'revoked' : usable ? 'usable' : 'used up or expired'}</td>
                      <td>
                        {usable ? (
                          <DeleteButton
                            path={`/api/v1/enrolment-tokens/${t.id}`}
                            onDone={tokens.reload}
                            onError={create.setError}
                          >
                            Revoke
                          </DeleteButton>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </DataTable>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}
