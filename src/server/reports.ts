import { ValidationError } from '../core/errors.ts';
import type { Run } from '../core/model.ts';
import type { ReportBucket, ReportBucketView, TaskReportView } from '../protocol/reports.ts';
import { iso } from './views.ts';

/** More buckets than this make a chart no one can read and a response no one wants. */
export const MAX_REPORT_BUCKETS = 1000;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const BUCKET_MS: Record<ReportBucket, number> = { hour: HOUR_MS, day: DAY_MS, week: 7 * DAY_MS };
/** 1970-01-05 was a Monday: weeks are aligned on it so they run Monday to Sunday (UTC). */
const FIRST_MONDAY_MS = 4 * DAY_MS;

export type ReportRun = Pick<Run, 'createdAt' | 'status' | 'startedAt' | 'finishedAt'>;
type Totals = Omit<ReportBucketView, 'start'>;

/** The UTC start of the bucket holding `ms`. */
export function bucketStart(ms: number, bucket: ReportBucket): number {
  const size = BUCKET_MS[bucket];
  const origin = bucket === 'week' ? FIRST_MONDAY_MS : 0;
  return Math.floor((ms - origin) / size) * size + origin;
}

/**
 * Per-bucket counts, success rate and duration percentiles of a task's runs created in
 * [since, until). Every bucket of the range is present, empty ones included, so a chart's
 * x axis is continuous.
 */
export function buildTaskReport(
  task: { id: string; name: string },
  runs: readonly ReportRun[],
  range: { since: number; until: number; bucket: ReportBucket },
): TaskReportView {
  const { since, until, bucket } = range;
  if (until <= since) throw new ValidationError('until', 'must be after since');
  const first = bucketStart(since, bucket);
  const count = Math.ceil((until - first) / BUCKET_MS[bucket]);
  if (count > MAX_REPORT_BUCKETS) {
    throw new ValidationError(
      'since',
      `the range holds ${count} ${bucket} buckets (at most ${MAX_REPORT_BUCKETS}): narrow it or use a larger bucket`,
    );
  }
  const groups: ReportRun[][] = Array.from({ length: count }, () => []);
  for (const run of runs) {
    if (run.createdAt < since || run.createdAt >= until) continue;
    groups[Math.floor((bucketStart(run.createdAt, bucket) - first) / BUCKET_MS[bucket])]?.push(run);
  }
  return {
    taskId: task.id,
    task: task.name,
    bucket,
    since: iso(since),
    until: iso(until),
    buckets: groups.map((group, i) => ({ start: iso(first + i * BUCKET_MS[bucket]), ...totalsOf(group) })),
    totals: totalsOf(runs.filter((r) => r.createdAt >= since && r.createdAt < until)),
  };
}

function totalsOf(runs: readonly ReportRun[]): Totals {
  let finished = 0;
  let error = 0;
  let cancelled = 0;
  const durations: number[] = [];
  for (const run of runs) {
    if (run.status === 'finished') finished++;
    else if (run.status === 'error') error++;
    else if (run.status === 'cancelled') cancelled++;
    if (run.startedAt !== null && run.finishedAt !== null) durations.push((run.finishedAt - run.startedAt) / 1000);
  }
  durations.sort((a, b) => a - b);
  return {
    runs: runs.length,
    finished,
    error,
    cancelled,
    other: runs.length - finished - error - cancelled,
    successRate: finished + error === 0 ? null : finished / (finished + error),
    p50Seconds: percentile(durations, 50),
    p90Seconds: percentile(durations, 90),
  };
}

/** Nearest-rank percentile of sorted values: always one of them, never an interpolation. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}
