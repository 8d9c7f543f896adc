import { useState } from 'react';
import { get, getAll, withQuery } from '../../api/client.ts';
import type { Paged, RunView, TaskView } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { FilterForm } from '../../components/forms.tsx';
import { choicesOf, SelectField } from '../../components/SelectField.tsx';
import { Completion, StatusBadge } from '../../components/status.tsx';
import { ErrorNote, Time } from '../../components/ui.tsx';
import { durationBetween } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { href, navigate, type Route } from '../../router.ts';

const RUN_STATUSES = ['pending', 'running', 'finished', 'error', 'cancelled', 'skipped', 'missed'];
const PAGE = 50;

/** Run history, newest first, filtered by task and status (kept in the URL), a page at a time. */
export function RunsPage({ route }: { route: Route }) {
  const task = route.query.get('task') ?? '';
  const status = route.query.get('status') ?? '';
  const tasks = useResource('run-filter-tasks', () => getAll<TaskView>('/api/v1/tasks'));
  const names = new Map((tasks.data ?? []).map((t) => [t.id, t.name]));
  const [more, setMore] = useState<{ key: string; items: RunView[]; next: string | null } | null>(null);
  const key = `${task}|${status}`;
  const first = useResource(`runs-${key}`, () =>
    get<Paged<RunView>>(withQuery('/api/v1/runs', { task, status, limit: PAGE })),
  );
  const extra = more?.key === key ? more : null;
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])];
  const next = extra ? extra.next : (first.data?.next ?? null);
  const filter = (patch: Record<string, string>) =>
    navigate('/runs', { task, status, ...patch } as Record<string, string | undefined>);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Runs</h1>
      </div>
      <FilterForm label="Filter runs">
        <SelectField
          label="Task"
          value={task}
          onChange={(value) => filter({ task: value })}
          choices={choicesOf(tasks.data)}
          any
        />
        <SelectField
          label="Status"
          value={status}
          onChange={(value) => filter({ status: value })}
          choices={RUN_STATUSES}
          any
        />
      </FilterForm>
      <ErrorNote error={first.error} />
      {first.data === undefined && !first.error ? <p className="muted">Loading runs…</p> : null}
      {first.data && items.length === 0 ? <p className="empty">No run matches.</p> : null}
      {items.length > 0 ? (
        <DataTable columns={['Task', 'Status', 'Reason', 'Created', 'Duration', 'Completion', 'Targets']}>
          {items.map((run) => (
            <tr key={run.id}>
              <td>
                <a href={href(`/runs/${run.id}`)}>{names.get(run.taskId) ?? `task …${run.taskId.slice(-8)}`}</a>
              </td>
              <td>
                <StatusBadge status={run.status} reason={run.statusReasonText} />
              </td>
              <td>
                {run.reason}
                {run.createdBy ? <span className="muted"> by {run.createdBy}</span> : null}
              </td>
              <td>
                <Time iso={run.createdAt} />
              </td>
              <td className="num">{durationBetween(run.startedAt, run.finishedAt)}</td>
              <td>
                <Completion value={run.completion} />
              </td>
              <td className="num">
                {run.counts.finished} ok · {run.counts.error} failed
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {next ? (
        <button
          type="button"
          onClick={async () => {
            const page = await get<Paged<RunView>>(
              withQuery('/api/v1/runs', { task, status, limit: PAGE, after: next }),
            );
            setMore({ key, items: [...(extra?.items ?? []), ...page.items], next: page.next });
          }}
        >
          Load more
        </button>
      ) : null}
    </div>
  );
}
