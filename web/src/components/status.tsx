import { reasonLabel } from '../lib/format.ts';

/**
 * A status is shown as a shape and a word, never by colour alone: ✓ finished, ✕ error…
 * The width is reserved so a line does not move when its status changes.
 */
const STATUS_ICONS: Record<string, string> = {
  idle: '○',
  disabled: '⏸',
  pending: '◔',
  waiting: '◷',
  prepared: '▸',
  running: '▶',
  finished: '✓',
  error: '✕',
  cancelled: '⊘',
  skipped: '↷',
  missed: '?',
  delivered: '✓',
  retrying: '↻',
  failed: '✕',
};

export function StatusBadge({ status, reason }: { status: string; reason?: string | null }) {
  return (
    <span className={`status status-${status}`} title={reason ? `${status}: ${reasonLabel(reason)}` : status}>
      <span className="status-icon" aria-hidden="true">
        {STATUS_ICONS[status] ?? '•'}
      </span>
      <span className="status-text">{status}</span>
    </span>
  );
}

/** Completion as a bar and a number; null (nothing to complete) shows N/A like the seed. */
export function Completion({ value }: { value: number | null }) {
  return (
    <span className="completion" title={value === null ? 'completion: N/A' : `completion: ${value} %`}>
      <span className="completion-bar" aria-hidden="true">
        <span className="completion-fill" style={{ width: `${value ?? 0}%` }} />
      </span>
      <span className="completion-number">{value === null ? 'N/A' : `${value} %`}</span>
    </span>
  );
}

export const ACTIVE_JOBSTATES = ['waiting', 'prepared', 'running'];
export const ACTIVE_RUNS = ['pending', 'running'];
