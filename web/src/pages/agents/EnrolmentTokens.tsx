import { type FormEvent, useState } from 'react';
import { ApiError, del, getAll, post } from '../../api/client.ts';
import type { CreatedEnrolmentToken, EnrolmentTokenView } from '../../api/types.ts';
import { ErrorNote, Field, Loaded, SecretOnce, Time } from '../../components/ui.tsx';
import { useResource } from '../../lib/use-resource.ts';

/** Enrolment tokens: create one (shown once, to copy), see what is left of each, revoke. */
export function EnrolmentTokens({ refreshed }: { refreshed: number }) {
  const tokens = useResource(`enrolment-tokens-${refreshed}`, () =>
    getAll<EnrolmentTokenView>('/api/v1/enrolment-tokens'),
  );
  const [uses, setUses] = useState('10');
  const [expiresIn, setExpiresIn] = useState('7d');
  const [tags, setTags] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const tagList = tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const made = await post<CreatedEnrolmentToken>('/api/v1/enrolment-tokens', {
        uses: Number(uses),
        expiresIn,
        ...(tagList.length > 0 ? { tags: tagList } : {}),
      });
      setCreated(made.token);
      tokens.reload();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'client', String(err)));
    }
  }

  return (
    <section className="card" aria-labelledby="enrolment-title">
      <h2 id="enrolment-title">Enrolment tokens</h2>
      <Loaded data={tokens.data} error={tokens.error} what="Agent enrolment">
        {(list) => (
          <>
            {created ? (
              <SecretOnce label="New enrolment token" secret={created} onDone={() => setCreated(null)} />
            ) : null}
            <form className="row" onSubmit={create} aria-label="New enrolment token">
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
            <ErrorNote error={error} />
            {list.length === 0 ? (
              <p className="muted">No enrolment token.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Created</th>
                      <th scope="col">Tags</th>
                      <th scope="col">Uses left</th>
                      <th scope="col">Expires</th>
                      <th scope="col">State</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((t) => {
                      const usable = !t.revokedAt && t.usesLeft > 0 && Date.parse(t.expiresAt) > Date.now();
                      return (
                        <tr key={t.id}>
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
                              <button
                                type="button"
                                className="danger"
                                onClick={() => del(`/api/v1/enrolment-tokens/${t.id}`).then(tokens.reload, setError)}
                              >
                                Revoke
                              </button>
                            ) : null}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}
