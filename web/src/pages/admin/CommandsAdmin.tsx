import { type FormEvent, useState } from 'react';
import { ApiError, del, getAll, post } from '../../api/client.ts';
import type { CommandView } from '../../api/types.ts';
import { ErrorNote, Field, Loaded } from '../../components/ui.tsx';
import { useResource } from '../../lib/use-resource.ts';
import { useSession } from '../../session.tsx';

const EXAMPLE_PARAMS = '{"path": {"type": "string", "pattern": "^/[A-Za-z0-9/_.-]*$"}}';

/** The catalog of predefined commands (the only way to run a program): list, add, delete. */
export function CommandsAdmin() {
  const { canAdmin } = useSession();
  const commands = useResource('commands', () => getAll<CommandView>('/api/v1/commands'));
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <section aria-label="Command catalog">
      <Loaded data={commands.data} error={commands.error} what="The command catalog">
        {(list) =>
          list.length === 0 ? (
            <p className="empty">No command in the catalog.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Program and arguments</th>
                    <th scope="col">Parameters</th>
                    <th scope="col">Runs on</th>
                    <th scope="col">Timeout</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((c) => (
                    <tr key={c.id}>
                      <td>
                        {c.name}
                        {c.orgId === null ? <span className="muted"> (global)</span> : null}
                        {c.description ? <div className="muted small">{c.description}</div> : null}
                      </td>
                      <td className="mono small">{c.argv.join(' ')}</td>
                      <td className="mono small">
                        {Object.entries(c.params)
                          .map(([name, p]) => `${name}: ${String(p.type ?? '?')}`)
                          .join(', ') || '—'}
                      </td>
                      <td>{c.runsOn}</td>
                      <td className="num">{c.timeoutSeconds} s</td>
                      <td>
                        {canAdmin ? (
                          <button
                            type="button"
                            className="danger"
                            onClick={() => {
                              if (window.confirm(`Delete the command "${c.name}"?`)) {
                                del(`/api/v1/commands/${c.id}`).then(commands.reload, setError);
                              }
                            }}
                          >
                            Delete {c.name}
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      <ErrorNote error={error} />
      {canAdmin ? <NewCommand onCreated={commands.reload} /> : null}
    </section>
  );
}

function NewCommand({ onCreated }: { onCreated(): void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [argv, setArgv] = useState('');
  const [params, setParams] = useState('');
  const [runsOn, setRunsOn] = useState('server');
  const [timeout, setTimeoutText] = useState('5m');
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    let parsedParams: unknown;
    try {
      parsedParams = params.trim() ? JSON.parse(params) : undefined;
    } catch (err) {
      setError(`params: not valid JSON (${(err as Error).message})`);
      return;
    }
    try {
      await post('/api/v1/commands', {
        name,
        description,
        argv: argv.split('\n').filter((line) => line !== ''),
        ...(parsedParams === undefined ? {} : { params: parsedParams }),
        runsOn,
        timeout,
      });
      setName('');
      setDescription('');
      setArgv('');
      setParams('');
      onCreated();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }

  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-command-title">
      <h2 id="new-command-title">Add a command</h2>
      <div className="row">
        <Field label="Command name" hint="a-z, 0-9, . _ -">
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Command description" wide>
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
      </div>
      <div className="row">
        <Field label="Program and arguments" hint='one per line; "{param}" alone on a line is replaced by a parameter'>
          <textarea className="mono" rows={4} required value={argv} onChange={(e) => setArgv(e.target.value)} />
        </Field>
        <Field label="Parameters (JSON)" hint={`e.g. ${EXAMPLE_PARAMS}`} wide>
          <textarea className="mono" rows={4} value={params} onChange={(e) => setParams(e.target.value)} />
        </Field>
      </div>
      <div className="row">
        <Field label="Runs on">
          <select value={runsOn} onChange={(e) => setRunsOn(e.target.value)}>
            <option value="server">server</option>
            <option value="agent">agent</option>
            <option value="both">both</option>
          </select>
        </Field>
        <Field label="Command timeout">
          <input value={timeout} onChange={(e) => setTimeoutText(e.target.value)} />
        </Field>
        <button type="submit" className="primary">
          Add command
        </button>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}
