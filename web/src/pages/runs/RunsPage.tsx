import { useState } from 'react';
import { get, getAll, withQuery } from '../../api/client.ts';
import type { Paged, RunView, TaskView } from '../../api/types.ts';
import { Completion, StatusBadge } from '../../components/status.tsx';
import { ErrorNote, Field, Time } from '../../components/ui.tsx';
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
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter runs">
        <Field label="Task">
          <select value={task} onChange={(e) => filter({ task: e.target.value })}>
            <option value="">any</option>
            {(tasks.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Status">
          <select value={status} onChange={(e) => filter({ status: e.target.value })}>
            <option value="">any</option>
            {RUN_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
      </form>
      <ErrorNote error={first.error} />
      {first.data === undefined && !first.error ? <p className="muted">Loading runs…</p> : null}
      {first.data && items.length === 0 ? <p className="empty">No run matches.</p> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Status</th>
                <th scope="col">Reason</th>
                <th scope="col">Created</th>
                <th scope="col">Duration</th>
                <th scope="col">Completion</th>
                <th scope="col">Targets</th>
              </tr>
            </thead>
            <tbody>
              {items.map((run) => (
                <tr key={run.id}>
                  <td>
                    <a href={href(`/runs/${run.id}`)}>{names.get(run.taskId) ?? `task …${run.taskId.slice(-8)}`}</a>
                  </td>
                  <td>
                    <StatusBadge status={run.status} reason={run.statusReason} />
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
            </tbody>
          </table>
        </div>
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
