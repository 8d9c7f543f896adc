import { useState } from 'react';
import { type ApiError, api, getAll, post } from '../../api/client.ts';
import type { CalendarView } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { DeleteButton } from '../../components/DeleteButton.tsx';
import { CardForm } from '../../components/forms.tsx';
import { ErrorNote, Field, Loaded } from '../../components/ui.tsx';
import { useSubmit } from '../../lib/use-action.ts';
import { useResource } from '../../lib/use-resource.ts';
import { useSession } from '../../session.tsx';

/** "2026-12-24T00:00:00+01:00 → 2026-12-27T00:00:00+01:00", one range a line, as the form takes them. */
const rangesText = (c: CalendarView) => c.blackouts.map((b) => `${b.from} → ${b.to}`).join('\n');

/**
 * Shared calendars: the org's and the global ones (read-only to org-admins), each with its
 * blackouts and yearly days; a form adds one or changes the one being edited (its name
 * stays: tasks list it). Deleting one a task still lists is refused, and the error names it.
 */
export function CalendarsAdmin() {
  const { canAdmin } = useSession();
  const calendars = useResource('calendars', () => getAll<CalendarView>('/api/v1/calendars'));
  const [error, setError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState<CalendarView | null>(null);
  return (
    <section aria-label="Calendars">
      <Loaded data={calendars.data} error={calendars.error} what="Calendars">
        {(list) =>
          list.length === 0 ? (
            <p className="empty">No calendar: tasks have only their own blackouts.</p>
          ) : (
            <DataTable columns={['Name', 'Blackouts', 'Every year']} actions>
              {list.map((c) => (
                <tr key={c.id}>
                  <td>
                    {c.name}
                    {c.orgId === null ? <span className="muted"> (global)</span> : null}
                  </td>
                  <td className="mono small">{rangesText(c) || '—'}</td>
                  <td className="mono small">{c.yearly.join(', ') || '—'}</td>
                  <td className="actions">
                    {canAdmin && c.managed ? (
                      <>
                        <button type="button" onClick={() => setEditing(c)}>
                          Edit {c.name}
                        </button>
                        <DeleteButton
                          path={`/api/v1/calendars/${c.id}`}
                          confirm={`Delete the calendar "${c.name}"?`}
                          onDone={calendars.reload}
                          onError={setError}
                        >
                          Delete {c.name}
                        </DeleteButton>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Loaded>
      <ErrorNote error={error} />
      {canAdmin ? (
        <CalendarForm
          key={editing?.id ?? 'new'}
          editing={editing}
          onSaved={() => {
            setEditing(null);
            calendars.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function CalendarForm({ editing, onSaved }: { editing: CalendarView | null; onSaved(): void }) {
  const [name, setName] = useState(editing?.name ?? '');
  const [ranges, setRanges] = useState(editing ? rangesText(editing) : '');
  const [yearly, setYearly] = useState(editing?.yearly.join(', ') ?? '');
  const { submit, error } = useSubmit(async () => {
    const rules = {
      blackouts: ranges
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => {
          const [from = '', to = ''] = line.split(/\s*(?:→|->)\s*|\s+/);
          return { from, to };
        }),
      yearly: yearly
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean),
    };
    if (editing) await api<CalendarView>('PATCH', `/api/v1/calendars/${editing.id}`, rules);
    else await post<CalendarView>('/api/v1/calendars', { name, ...rules });
    onSaved();
  });
  const title = editing ? `Change the calendar ${editing.name}` : 'Add a calendar';
  return (
    <CardForm titleId="calendar-form-title" title={title} onSubmit={submit} error={error}>
      <div className="row">
        <Field label="Calendar name" hint="tasks list it by this name">
          <input required disabled={editing !== null} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Every year" hint='days as MM-DD, comma-separated: "12-25, 01-01"'>
          <input value={yearly} onChange={(e) => setYearly(e.target.value)} />
        </Field>
      </div>
      <div className="row">
        <Field label="Blackouts" hint="one range a line: FROM → TO, ISO times with an offset" wide>
          <textarea rows={3} value={ranges} onChange={(e) => setRanges(e.target.value)} />
        </Field>
      </div>
      <button type="submit" className="primary">
        {editing ? 'Save calendar' : 'Add calendar'}
      </button>
    </CardForm>
  );
}
