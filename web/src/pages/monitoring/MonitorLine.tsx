import type { SummaryLine } from '../../api/types.ts';
import { JobstateGroups } from '../../components/JobstateGroups.tsx';
import { Completion, StatusBadge } from '../../components/status.tsx';
import { Time } from '../../components/ui.tsx';
import { formatRelative } from '../../lib/format.ts';
import { href } from '../../router.ts';

const RUN_REASONS: Record<string, string> = {
  schedule: 'scheduled',
  manual: 'manual',
  immediate: 'immediate',
  'catch-up': 'catch-up',
};

/**
 * `<module icon> <task> — <module details> — completion N % — <status>` in fixed columns,
 * so numbers changing live never move anything. Open, it shows each module's detail lines
 * and the latest run's jobs and targets with their logs.
 */
export function MonitorLine(props: {
  line: SummaryLine;
  open: boolean;
  selectedLog: string | null;
  onToggle(): void;
  onSelectLog(jobstateId: string | null): void;
}) {
  const { line } = props;
  const panelId = `line-${line.taskId}`;
  const icons = line.modules.map((m) => m.icon).join('');
  return (
    <li className={props.open ? 'monitor-line open' : 'monitor-line'} data-task={line.task}>
      <button
        type="button"
        className="monitor-row"
        aria-expanded={props.open}
        aria-controls={panelId}
        onClick={props.onToggle}
      >
        <span className="module-icon" title={line.modules.map((m) => m.name).join(', ')} aria-hidden="true">
          {icons || '•'}
        </span>
        <span className="task-name">{line.task}</span>
        <span className="task-details">
          {line.details || (line.lastRun ? '' : 'never ran')}
          {line.lastRun?.joined ? <span className="joined"> +{line.lastRun.joined} joined</span> : null}
        </span>
        <Completion value={line.completion} />
        <StatusBadge status={line.status} reason={line.lastRun?.statusReason} />
        <span className="next-fire" title={line.nextFireAt ?? 'no next firing'}>
          {line.nextFireAt ? `next ${formatRelative(line.nextFireAt)}` : ''}
        </span>
      </button>
      {props.open ? (
        <div className="monitor-panel" id={panelId}>
          <ul className="module-details">
            {line.modules.map((m) => (
              <li key={m.name}>
                <span aria-hidden="true">{m.icon}</span> <strong>{m.name}</strong> — {m.details || 'no run yet'}
                {m.lines.length > 0 ? (
                  <ul>
                    {m.lines.map((text) => (
                      <li key={text}>+ {text}</li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ul>
          <p className="panel-links">
            {line.lastRun ? (
              <>
                Latest run:{' '}
                <a href={href(`/runs/${line.lastRun.id}`)}>
                  {RUN_REASONS[line.lastRun.reason] ?? line.lastRun.reason} run
                  {line.lastRun.createdBy ? ` by ${line.lastRun.createdBy}` : ''}
                </a>
                , created <Time iso={line.lastRun.createdAt} />.{' '}
              </>
            ) : (
              'No run yet. '
            )}
            {line.nextFireAt ? (
              <>
                Next firing <Time iso={line.nextFireAt} />.{' '}
              </>
            ) : null}
            <a href={href(`/tasks/${line.taskId}`)}>Task</a> ·{' '}
            <a href={href('/runs', { task: line.taskId })}>All runs</a> ·{' '}
            <a href={href('/reports', { task: line.taskId })}>Report</a>
          </p>
          {line.lastRun ? (
            <JobstateGroups runId={line.lastRun.id} selected={props.selectedLog} onSelect={props.onSelectLog} />
          ) : null}
        </div>
      ) : null}
    </li>
  );
}
