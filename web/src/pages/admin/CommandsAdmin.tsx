import { useState } from 'react';
import { type ApiError, getAll, post } from '../../api/client.ts';
import type { CommandView } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { DeleteButton } from '../../components/DeleteButton.tsx';
import { CardForm } from '../../components/forms.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { ErrorNote, Field, Loaded } from '../../components/ui.tsx';
import { parseJsonField, useSubmit } from '../../lib/use-action.ts';
import { useResource } from '../../lib/use-resource.ts';
import { useSession } from '../../session.tsx';

const EXAMPLE_PARAMS = '{"path": {"type": "string", "pattern": "^/[A-Za-z0-9/_.-]*$"}}';

/** The catalog of predefined commands (the only way to run a program): list, add, delete. */
export function CommandsAdmin() {
  const { canAdmin, me } = useSession();
  // The global admin's entries (global ones, and those he defined for the org) are his to change.
  const canDelete = (c: CommandView) => canAdmin && (me.role === 'admin' || !c.definedByAdmin);
  const commands = useResource('commands', () => getAll<CommandView>('/api/v1/commands'));
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <section aria-label="Command catalog">
      <Loaded data={commands.data} error={commands.error} what="The command catalog">
        {(list) =>
          list.length === 0 ? (
            <p className="empty">No command in the catalog.</p>
          ) : (
            <DataTable columns={['Name', 'Program and arguments', 'Parameters', 'Runs on', 'Timeout']} actions>
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
                    {canDelete(c) ? (
                      <DeleteButton
                        path={`/api/v1/commands/${c.id}`}
                        confirm={`Delete the command "${c.name}"?`}
                        onDone={commands.reload}
                        onError={setError}
                      >
                        Delete {c.name}
                      </DeleteButton>
                    ) : null}
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Loaded>
      <ErrorNote error={error} />
      {canAdmin ? <NewCommand globalAdmin={me.role === 'admin'} onCreated={commands.reload} /> : null}
    </section>
  );
}

/** Only the global admin defines commands that run on the server; an org-admin's run on the org's agents. */
function NewCommand({ globalAdmin, onCreated }: { globalAdmin: boolean; onCreated(): void }) {
  const sides = globalAdmin ? ['server', 'agent', 'both'] : ['agent'];
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [argv, setArgv] = useState('');
  const [params, setParams] = useState('');
  const [runsOn, setRunsOn] = useState(sides[0] as string);
  const [timeout, setTimeoutText] = useState('5m');
  const { submit, error } = useSubmit(async () => {
    const parsedParams = params.trim() ? parseJsonField('params', params) : undefined;
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
  });

  return (
    <CardForm titleId="new-command-title" title="Add a command" onSubmit={submit} error={error}>
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
        <SelectField label="Runs on" value={runsOn} onChange={setRunsOn} choices={sides} />
        <Field label="Command timeout">
          <input value={timeout} onChange={(e) => setTimeoutText(e.target.value)} />
        </Field>
        <button type="submit" className="primary">
          Add command
        </button>
      </div>
    </CardForm>
  );
}
