import { type Static, Type } from 'typebox';
import { Id, IsoTime } from './common.ts';

export const REPORT_BUCKETS = ['hour', 'day', 'week'] as const;
export type ReportBucket = (typeof REPORT_BUCKETS)[number];

export const ReportQuery = Type.Object({
  since: Type.Optional(Type.String({ maxLength: 64, description: 'ISO time; default 30 days before `until`' })),
  until: Type.Optional(Type.String({ maxLength: 64, description: 'ISO time; default now' })),
  bucket: Type.Optional(Type.Enum([...REPORT_BUCKETS], { description: 'UTC hours, days or weeks (from Monday)' })),
});
export type ReportQuery = Static<typeof ReportQuery>;

const NullableNumber = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

/** Runs created in one bucket: how they ended and how long the ended ones took. */
export const ReportBucketView = Type.Object({
  start: IsoTime,
  runs: Type.Integer(),
  finished: Type.Integer(),
  error: Type.Integer(),
  cancelled: Type.Integer(),
  other: Type.Integer({ description: 'pending, running, skipped or missed' }),
  successRate: NullableNumber('finished / (finished + error), 0..1; null without either'),
  p50Seconds: NullableNumber('median duration of the runs that started and ended'),
  p90Seconds: NullableNumber('90th percentile of the same durations'),
});
export type ReportBucketView = Static<typeof ReportBucketView>;

export const TaskReportView = Type.Object({
  taskId: Id,
  task: Type.String(),
  bucket: Type.Enum([...REPORT_BUCKETS]),
  since: IsoTime,
  until: IsoTime,
  buckets: Type.Array(ReportBucketView),
  totals: Type.Omit(ReportBucketView, ['start']),
});
export type TaskReportView = Static<typeof TaskReportView>;
