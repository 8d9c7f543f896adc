import { useState } from 'react';
import { del, get, post } from '../../api/client.ts';
import type { RunView, TaskView } from '../../api/types.ts';
import { LedgerTable } from '../../components/LedgerTable.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { ErrorNote, Loaded } from '../../components/ui.tsx';
import { defOf, newTaskDef } from '../../lib/task-def.ts';
import { useAction } from '../../lib/use-action.ts';
import { useResource } from '../../lib/use-resource.ts';
import { href, navigate, type Route } from '../../router.ts';
import { useSession } from '../../session.tsx';
import { browserZone } from './ScheduleEditor.tsx';
import { TaskEditor } from './TaskEditor.tsx';
import { TaskHistory } from './TaskHistory.tsx';

const RUN_WAIT_SECONDS = 10;

export function TaskPage({ id, route }: { id: string; route: Route }) {
  if (id === 'new') {
    return (
      <div className="page">
        <div className="page-head">
          <h1>New task</h1>
        </div>
        <TaskEditor initial={newTaskDef(browserZone())} onSaved={(task) => navigate(`/tasks/${task.id}`)} />
      </div>
    );
  }
  return <ExistingTask id={id} tab={route.query.get('tab') ?? 'definition'} />;
}

function ExistingTask({ id, tab }: { id: string; tab: string }) {
  const task = useResource(`task-${id}`, () => get<TaskView>(`/api/v1/tasks/${id}`));
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <div className="page">
      <Loaded data={task.data} error={task.error} what="the task">
        {(t) => (
          <>
            <div className="page-head">
              <h1>
                {t.name} {t.orgId === 'global' ? <span className="muted">(global)</span> : null}{' '}
                {t.enabled ? null : <StatusBadge status="disabled" />}
              </h1>
              <TaskActions task={t} onChange={(next) => task.setData(() => next)} />
            </div>
            <p className="muted" role="status">
              {saved}
            </p>
            <nav className="tabs" aria-label="Task views">
              <a href={href(`/tasks/${id}`)} aria-current={tab === 'definition' ? 'page' : undefined}>
                Definition
              </a>
              <a href={href(`/tasks/${id}`, { tab: 'history' })} aria-current={tab === 'history' ? 'page' : undefined}>
                History
              </a>
              <a href={href(`/tasks/${id}`, { tab: 'targets' })} aria-current={tab === 'targets' ? 'page' : undefined}>
                Targets
              </a>
              <a href={href('/runs', { task: id })}>Runs</a>
              <a href={href('/reports', { task: id })}>Report</a>
            </nav>
            {tab === 'history' ? (
              <TaskHistory taskId={id} />
            ) : tab === 'targets' ? (
              <section aria-label="Where it stands on each target">
                <h2>Where it stands on each target</h2>
                <LedgerTable task={id} />
              </section>
            ) : (
              <TaskEditor
                key={t.version}
                initial={defOf(t)}
                taskId={id}
                onSaved={(next) => {
                  setSaved(`Saved version ${next.version} at ${new Date().toLocaleTimeString()}.`);
                  task.setData(() => next);
                }}
              />
            )}
          </>
        )}
      </Loaded>
    </div>
  );
}

/** Enable/disable, run now (waiting a little for the end), delete: operators only. */
function TaskActions({ task, onChange }: { task: TaskView; onChange(task: TaskView): void }) {
  const { canOperate } = useSession();
  const { busy, error, act } = useAction();
  const [lastRun, setLastRun] = useState<RunView | null>(null);
  if (!canOperate) return null;

  return (
    <div className="task-actions">
      <button
        type="button"
        disabled={busy !== null}
        onClick={() =>
          act('toggle', async () =>
            onChange(await post<TaskView>(`/api/v1/tasks/${task.id}/${task.enabled ? 'disable' : 'enable'}`)),
          )
        }
      >
        {task.enabled ? 'Disable' : 'Enable'}
      </button>
      <button
        type="button"
        className="primary"
        disabled={busy !== null}
        onClick={() =>
          act('run', async () =>
            setLastRun(await post<RunView>(`/api/v1/tasks/${task.id}/runs?wait=${RUN_WAIT_SECONDS}`)),
          )
        }
      >
        {busy === 'run' ? 'Running…' : 'Run now'}
      </button>
      <button
        type="button"
        className="danger"
        disabled={busy !== null}
        onClick={() => {
          if (!window.confirm(`Delete the task "${task.name}"? Its history is kept.`)) return;
          act('delete', async () => {
            await del(`/api/v1/tasks/${task.id}`);
            navigate('/tasks');
          });
        }}
      >
        Delete
      </button>
      <span className="run-result" role="status">
        {lastRun ? (
          <>
            Run <StatusBadge status={lastRun.status} /> <a href={href(`/runs/${lastRun.id}`)}>details</a> ·{' '}
            <a href={href('/', { open: task.id })}>monitor</a>
          </>
        ) : null}
      </span>
      <ErrorNote error={error} />
    </div>
  );
}
