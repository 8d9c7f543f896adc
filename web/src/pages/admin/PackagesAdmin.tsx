import { useState } from 'react';
import { type ApiError, getAll, post, upload } from '../../api/client.ts';
import type { CommandView, PackageFileView, PackageView } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { DeleteButton } from '../../components/DeleteButton.tsx';
import { FieldErrors } from '../../components/field-errors.tsx';
import { CardForm } from '../../components/forms.tsx';
import { ErrorNote, Field, Loaded, Time } from '../../components/ui.tsx';
import { useSubmit } from '../../lib/use-action.ts';
import { useResource } from '../../lib/use-resource.ts';
import { useSession } from '../../session.tsx';
import { defaultSteps, type ItemDraft, ManifestItemsEditor, manifestItems } from './ManifestEditor.tsx';

const size = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 1048576).toFixed(1)} MiB`;

/** Deploy packages (content-addressed archives): list, upload and register, delete. */
export function PackagesAdmin() {
  const { canOperate, canAdmin } = useSession();
  const packages = useResource('packages', () => getAll<PackageView>('/api/v1/packages'));
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <section aria-label="Packages">
      <Loaded data={packages.data} error={packages.error} what="Package management">
        {(list) => (
          <>
            {list.length === 0 ? (
              <p className="empty">No package uploaded.</p>
            ) : (
              <DataTable columns={['Name', 'Version', 'Size', 'Checks', 'Steps', 'SHA-256', 'Uploaded']} actions>
                {list.map((p) => (
                  <tr key={p.id}>
                    <td>{p.name}</td>
                    <td>{p.version}</td>
                    <td className="num">{size(p.size)}</td>
                    <td className="num">{Array.isArray(p.manifest.checks) ? p.manifest.checks.length : '—'}</td>
                    <td className="num">{Array.isArray(p.manifest.steps) ? p.manifest.steps.length : '—'}</td>
                    <td className="mono small" title={p.sha256}>
                      {p.sha256.slice(0, 12)}…
                    </td>
                    <td>
                      <Time iso={p.createdAt} />
                    </td>
                    <td>
                      {canAdmin ? (
                        <DeleteButton
                          path={`/api/v1/packages/${p.id}`}
                          confirm={`Delete ${p.name} ${p.version}?`}
                          onDone={packages.reload}
                          onError={setError}
                        >
                          Delete {p.name} {p.version}
                        </DeleteButton>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
            {canOperate ? <NewPackage onCreated={packages.reload} /> : null}
          </>
        )}
      </Loaded>
      <ErrorNote error={error} />
    </section>
  );
}

/**
 * Upload in two calls, as the API does it: the archive (raw bytes) → its sha256, then name,
 * version and the manifest (checks and steps, edited row by row). The server's message
 * names the field (`steps[0].to`), which shows next to it.
 */
function NewPackage({ onCreated }: { onCreated(): void }) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [version, setVersion] = useState('1.0');
  const [steps, setSteps] = useState<ItemDraft[]>(defaultSteps);
  const [checks, setChecks] = useState<ItemDraft[]>([]);
  const commands = useResource('package-commands', () =>
    getAll<CommandView>('/api/v1/commands').catch(() => [] as CommandView[]),
  );
  const { submit, busy, error } = useSubmit(async () => {
    if (!file) return;
    const manifest = { checks: manifestItems('checks', checks), steps: manifestItems('steps', steps) };
    const stored = await upload<PackageFileView>('/api/v1/packages/files', file);
    await post('/api/v1/packages', { name, version, archive: stored.sha256, ...manifest });
    setName('');
    setFile(null);
    setSteps(defaultSteps());
    setChecks([]);
    onCreated();
  });

  return (
    <CardForm titleId="new-package-title" title="Upload a package" onSubmit={submit} error={error}>
      <FieldErrors error={error}>
        <div className="row">
          <Field name="archive" label="Archive (.tar or .tar.gz)">
            <input type="file" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </Field>
          <Field name="name" label="Package name" hint="a-z, 0-9, . _ -">
            <input required value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field name="version" label="Version">
            <input required value={version} onChange={(e) => setVersion(e.target.value)} />
          </Field>
        </div>
        <ManifestItemsEditor kind="checks" items={checks} commands={commands.data ?? []} onChange={setChecks} />
        <ManifestItemsEditor kind="steps" items={steps} commands={commands.data ?? []} onChange={setSteps} />
      </FieldErrors>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy !== null || !file}>
          {busy ? 'Uploading…' : 'Upload package'}
        </button>
      </div>
    </CardForm>
  );
}
