import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, get, getAll } from '../../api/client.ts';
import type { SummaryLine } from '../../api/types.ts';
import { Field, Loaded } from '../../components/ui.tsx';
import { useBatcher, useLiveState, useServerEvents } from '../../lib/events.tsx';
import { useResource } from '../../lib/use-resource.ts';
import { navigate, type Route } from '../../router.ts';
import { MonitorLine } from './MonitorLine.tsx';

const STATUS_FILTERS = ['running', 'pending', 'finished', 'error', 'cancelled', 'skipped', 'idle', 'disabled'];
/** Events about one task within this window cost one refetch of its line. */
const REFRESH_BATCH_MS = 300;

/**
 * Home: one line per task (seed 001: icon, name, module details, completion, status),
 * kept live from the event stream. A line opens into its latest run's jobs and targets;
 * the open line and selected target live in the URL, so a view can be shared.
 */
export function MonitoringPage({ route }: { route: Route }) {
  const summary = useResource('summary', () => getAll<SummaryLine>('/api/v1/summary'));
  const [status, setStatus] = useState('');
  const [module, setModule] = useState('');
  const [search, setSearch] = useState('');
  const live = useLiveState();
  const open = route.query.get('open');
  const log = route.query.get('log');
  const { setData } = summary;

  const refresh = useBatcher(
    useCallback(
      (taskIds: Set<string>) => {
        for (const taskId of taskIds) {
          get<SummaryLine>(`/api/v1/summary/${taskId}`).then(
            (line) =>
              setData((lines) => {
                if (!lines) return lines;
                return lines.some((l) => l.taskId === taskId)
                  ? lines.map((l) => (l.taskId === taskId ? line : l))
                  : [...lines, line];
              }),
            (err: unknown) => {
              // Deleted meanwhile: its line goes.
              if (err instanceof ApiError && err.status === 404) {
                setData((lines) => lines?.filter((l) => l.taskId !== taskId));
              }
            },
          );
        }
      },
      [setData],
    ),
    REFRESH_BATCH_MS,
  );
  useServerEvents((event) => refresh(event.data.taskId));
  // Events sent while the stream was down are lost: after a reconnection, read every line again.
  const wasDown = useRef(false);
  const { reload } = summary;
  useEffect(() => {
    if (live === 'reconnecting') wasDown.current = true;
    if (live === 'live' && wasDown.current) {
      wasDown.current = false;
      reload();
    }
  }, [live, reload]);

  const modules = useMemo(
    () => [...new Set((summary.data ?? []).flatMap((l) => l.modules.map((m) => m.name)))].sort(),
    [summary.data],
  );
  const needle = search.trim().toLowerCase();
  const shown = (summary.data ?? []).filter(
    (l) =>
      (!status || l.status === status) &&
      (!module || l.modules.some((m) => m.name === module)) &&
      (!needle || l.task.toLowerCase().includes(needle)),
  );

  return (
    <div className="page">
      <div className="page-head">
        <h1>Monitoring</h1>
        <span className={`live live-${live}`} role="status">
          {live === 'live' ? '● live' : live === 'connecting' ? '○ connecting…' : '○ reconnecting…'}
        </span>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter tasks">
        <Field label="Search by name">
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </Field>
        <Field label="Status">
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            {STATUS_FILTERS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Module">
          <select value={module} onChange={(e) => setModule(e.target.value)}>
            <option value="">any</option>
            {modules.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </Field>
      </form>
      <Loaded data={summary.data} error={summary.error} what="the monitoring lines">
        {(lines) =>
          lines.length === 0 ? (
            <p className="empty">
              No task yet. <a href="#/tasks/new">Create one</a>.
            </p>
          ) : (
            <>
              <p className="muted count-line">
                {shown.length} of {lines.length} tasks
              </p>
              <ul className="monitor-lines" aria-label="Tasks">
                {shown.map((line) => (
                  <MonitorLine
                    key={line.taskId}
                    line={line}
                    open={open === line.taskId}
                    selectedLog={open === line.taskId ? log : null}
                    onToggle={() => navigate('/', { open: open === line.taskId ? undefined : line.taskId })}
                    onSelectLog={(id) => navigate('/', { open: line.taskId, log: id ?? undefined })}
                  />
                ))}
              </ul>
            </>
          )
        }
      </Loaded>
    </div>
  );
}
