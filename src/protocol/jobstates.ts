import { type Static, Type } from 'typebox';
import { Id, IsoTime, NullableIsoTime, Paged, PageQuery } from './common.ts';

export const JobstateView = Type.Object({
  id: Id,
  runId: Id,
  taskId: Id,
  job: Type.String(),
  jobIndex: Type.Integer(),
  module: Type.String(),
  agentId: Type.Union([Id, Type.Null()], { description: 'null = the server' }),
  status: Type.Enum(['waiting', 'prepared', 'running', 'finished', 'error', 'cancelled', 'skipped']),
  reason: Type.Union([Type.String(), Type.Null()]),
  reasonText: Type.Union([Type.String(), Type.Null()], {
    description: 'why it is where it is, in words: its reason, or for a prepared job its agent being overdue',
  }),
  attempt: Type.Integer(),
  preparedAt: NullableIsoTime,
  /** While waiting: when it may start (a delay, local time, a timeslot's opening); null otherwise. */
  dueAt: NullableIsoTime,
  startedAt: NullableIsoTime,
  finishedAt: NullableIsoTime,
  result: Type.Unknown(),
  /** The latest progress its agent reported for the running attempt. */
  progress: Type.Union([
    Type.Object({ percent: Type.Number(), message: Type.Union([Type.String(), Type.Null()]), at: IsoTime }),
    Type.Null(),
  ]),
  /** Its target's wave in a run with a staged rollout (waiting with reason rollout_wave until it opens). */
  wave: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type JobstateView = Static<typeof JobstateView>;

export const LogLineView = Type.Object({
  ts: IsoTime,
  stream: Type.Enum(['stdout', 'stderr', 'info']),
  line: Type.String(),
  attempt: Type.Integer(),
});
export type LogLineView = Static<typeof LogLineView>;

export const LogsQuery = PageQuery;

/** `cursor`, unlike `next`, is set on the last page too: pass it as `after` to read only newer lines. */
export const LogPageView = Type.Object({
  ...Paged(LogLineView).properties,
  cursor: Type.Union([Type.String(), Type.Null()]),
});
