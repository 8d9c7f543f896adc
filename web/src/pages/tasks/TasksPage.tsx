import { getAll } from '../../api/client.ts';
import type { SummaryLine, TaskView } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { Loaded, Time } from '../../components/ui.tsx';
import { useResource } from '../../lib/use-resource.ts';
import { href } from '../../router.ts';
import { useSession } from '../../session.tsx';

/** Every task with its schedule kind, jobs, last status and next firing. */
export function TasksPage() {
  const { canOperate } = useSession();
  const tasks = useResource('tasks', async () => {
    const [list, summary] = await Promise.all([
      getAll<TaskView>('/api/v1/tasks'),
      getAll<SummaryLine>('/api/v1/summary'),
    ]);
    const lines = new Map(summary.map((l) => [l.taskId, l]));
    return list.map((task) => ({ task, line: lines.get(task.id) }));
  });
  return (
    <div className="page">
      <div className="page-head">
        <h1>Tasks</h1>
        {canOperate ? (
          <a className="button primary" href="#/tasks/new">
            New task
          </a>
        ) : null}
      </div>
      <Loaded data={tasks.data} error={tasks.error} what="the tasks">
        {(rows) =>
          rows.length === 0 ? (
            <p className="empty">No task yet.</p>
          ) : (
            <DataTable columns={['Name', 'Schedule', 'Jobs', 'Status', 'Next firing']}>
              {rows.map(({ task, line }) => (
                <tr key={task.id}>
                  <td>
                    <a href={href(`/tasks/${task.id}`)}>{task.name}</a>
                    {task.orgId === 'global' ? <span className="muted"> (global)</span> : null}
                    {task.description ? <div className="muted small">{task.description}</div> : null}
                  </td>
                  <td>{String(task.schedule.kind)}</td>
                  <td>{task.jobs.map((j) => `${j.name} (${j.module})`).join(', ')}</td>
                  <td>
                    <StatusBadge status={task.enabled ? (line?.status ?? 'idle') : 'disabled'} />
                  </td>
                  <td>
                    <Time iso={line?.nextFireAt} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Loaded>
    </div>
  );
}
