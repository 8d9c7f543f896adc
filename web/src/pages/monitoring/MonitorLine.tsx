import type { SummaryLine } from '../../api/types.ts';
import { JobstateGroups } from '../../components/JobstateGroups.tsx';
import { ModuleIcon } from '../../components/ModuleIcon.tsx';
import { Completion, endedEarly, StatusBadge } from '../../components/status.tsx';
import { Time } from '../../components/ui.tsx';
import { formatRelative, formatTime, whyWaiting } from '../../lib/format.ts';
import { waveText } from '../../lib/rollout.ts';
import { useNow } from '../../lib/use-now.ts';
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
  // "next in 12 s" counts down without a reload; a minute away, a coarser tick will do.
  const soon = line.nextFireAt !== null && Date.parse(line.nextFireAt) - Date.now() < 3_600_000;
  const now = useNow(line.nextFireAt !== null || line.waiting !== null, soon ? 1000 : 30_000);
  const panelId = `line-${line.taskId}`;
  const iconSize = line.modules.length > 1 ? 13 : 18;
  const notes = lineNotes(line, now);
  return (
    <li className={props.open ? 'monitor-line open' : 'monitor-line'} data-task={line.task}>
      <button
        type="button"
        className="monitor-row"
        aria-expanded={props.open}
        aria-controls={panelId}
        onClick={props.onToggle}
      >
        <span className="module-icon" title={line.modules.map((m) => m.name).join(', ')}>
          {line.modules.slice(0, 4).map((m) => (
            <ModuleIcon key={m.name} module={m.name} size={iconSize} />
          ))}
        </span>
        <span className="task-name">{line.task}</span>
        {line.global ? <span className="muted"> (global)</span> : null}
        <span className="task-details" title={line.details}>
          {line.details || (line.lastRun ? '' : 'never ran')}
          {line.lastRun?.joined ? <span className="joined"> +{line.lastRun.joined} joined</span> : null}
          {line.rollout ? (
            <span className="rollout-wave" data-halted={line.rollout.halted}>
              {line.details ? ' · ' : ''}
              {waveText(line.rollout)}
            </span>
          ) : null}
        </span>
        <Completion value={line.completion} ended={endedEarly(line.lastRun?.status)} />
        <StatusBadge status={line.status} reason={line.lastRun?.statusReasonText} />
        <span className="next-fire" title={line.nextFireAt ?? 'no next firing'}>
          {line.nextFireAt ? `next ${formatRelative(line.nextFireAt, now)}` : ''}
        </span>
      </button>
      {notes.length > 0 ? (
        <ul className="line-notes" aria-label={`Notes on ${line.task}`}>
          {notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
      {props.open ? (
        <div className="monitor-panel" id={panelId}>
          <ul className="module-details">
            {line.modules.map((m) => (
              <li key={m.name}>
                <ModuleIcon module={m.name} size={14} /> <strong>{m.name}</strong> — {m.details || 'no run yet'}
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

/** "skipped 10:05: previous run still running", "waiting: delay until 10:05 (3 jobs)". */
function lineNotes(line: SummaryLine, now: number): string[] {
  const notes: string[] = [];
  if (line.skipped) {
    notes.push(`skipped ${formatTime(line.skipped.fireAt)}: ${line.skipped.reasonText ?? 'not run'}`);
  }
  if (line.waiting) {
    const count = line.waiting.count > 1 ? ` (${line.waiting.count} jobs)` : '';
    notes.push(`${line.waiting.status}: ${whyWaiting(line.waiting, now)}${count}`);
  }
  return notes;
}
