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

/** `reason`: why, in the words the server gives (a view's reasonText or statusReasonText). */
export function StatusBadge({ status, reason }: { status: string; reason?: string | null }) {
  return (
    <span className={`status status-${status}`} title={reason ? `${status}: ${reason}` : status}>
      <span className="status-icon" aria-hidden="true">
        {STATUS_ICONS[status] ?? '•'}
      </span>
      <span className="status-text">{status}</span>
    </span>
  );
}

/**
 * Completion as a bar and a number; null (nothing to complete) shows N/A like the seed.
 * `ended`: the run ended before its work did (cancelled, skipped): that word instead of
 * the number, and the bar shows only what ran.
 */
export function Completion({ value, ended = null }: { value: number | null; ended?: string | null }) {
  const number = value === null ? 'N/A' : `${value} %`;
  return (
    <span
      className={ended ? `completion completion-${ended}` : 'completion'}
      title={ended ? `${ended}, ${number} of its work ran` : `completion: ${number}`}
    >
      <span className="completion-bar" aria-hidden="true">
        <span className="completion-fill" style={{ width: `${value ?? 0}%` }} />
      </span>
      <span className="completion-number">{ended ?? number}</span>
    </span>
  );
}

/** A run that ended before its work did: its completion reads as its status (Completion's `ended`). */
export function endedEarly(status: string | undefined): string | null {
  return status === 'cancelled' || status === 'skipped' ? status : null;
}

export const ACTIVE_JOBSTATES = ['waiting', 'prepared', 'running'];
export const ACTIVE_RUNS = ['pending', 'running'];
