import { useState } from 'react';
import { type ApiError, getAll, post, upload } from '../../api/client.ts';
import type { PackageFileView, PackageView } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { DeleteButton } from '../../components/DeleteButton.tsx';
import { CardForm } from '../../components/forms.tsx';
import { ErrorNote, Field, Loaded, Time } from '../../components/ui.tsx';
import { parseJsonField, useSubmit } from '../../lib/use-action.ts';
import { useResource } from '../../lib/use-resource.ts';
import { useSession } from '../../session.tsx';

const size = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 1048576).toFixed(1)} MiB`;
/** A relative folder is extracted under each agent's package root; absolute ones need a prefix the global admin allowed. */
const EXAMPLE_STEPS = '[{"type": "extract", "to": "app"}]';

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
              <DataTable columns={['Name', 'Version', 'Size', 'Steps', 'SHA-256', 'Uploaded']} actions>
                {list.map((p) => (
                  <tr key={p.id}>
                    <td>{p.name}</td>
                    <td>{p.version}</td>
                    <td className="num">{size(p.size)}</td>
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

/** Upload in two calls, as the API does it: the archive (raw bytes) → its sha256, then name, version, manifest. */
function NewPackage({ onCreated }: { onCreated(): void }) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [version, setVersion] = useState('1.0');
  const [steps, setSteps] = useState(EXAMPLE_STEPS);
  const { submit, busy, error } = useSubmit(async () => {
    if (!file) return;
    const parsedSteps = parseJsonField('steps', steps);
    const stored = await upload<PackageFileView>('/api/v1/packages/files', file);
    await post('/api/v1/packages', { name, version, archive: stored.sha256, steps: parsedSteps });
    setName('');
    setFile(null);
    onCreated();
  });

  return (
    <CardForm titleId="new-package-title" title="Upload a package" onSubmit={submit} error={error}>
      <div className="row">
        <Field label="Archive (.tar or .tar.gz)">
          <input type="file" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </Field>
        <Field label="Package name" hint="a-z, 0-9, . _ -">
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Version">
          <input required value={version} onChange={(e) => setVersion(e.target.value)} />
        </Field>
      </div>
      <Field
        label="Steps (JSON)"
        hint="extract or command steps, in order; extract to a relative folder (under each agent's package root)"
        wide
      >
        <textarea className="mono" rows={4} value={steps} onChange={(e) => setSteps(e.target.value)} />
      </Field>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy !== null || !file}>
          {busy ? 'Uploading…' : 'Upload package'}
        </button>
      </div>
    </CardForm>
  );
}
