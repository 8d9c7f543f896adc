import { type Static, Type } from 'typebox';
import { NotifyRuleView } from './channels.ts';
import { Id, IsoTime, OrgPageQuery } from './common.ts';
import { RolloutDefView } from './rollouts.ts';
import { TaskDefBody } from './task-def.ts';

const Job = Type.Object({
  name: Type.String(),
  module: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
  targets: Type.Record(Type.String(), Type.Unknown()),
  delay: Type.String(),
  startIf: Type.Enum(['always', 'success', 'failure']),
  timeout: Type.String(),
  retry: Type.Object({ attempts: Type.Integer(), backoff: Type.String() }),
});

/** A stored task, in the same shape it is written in (so GET → edit → PUT works). */
export const TaskView = Type.Object({
  id: Id,
  orgId: Id,
  version: Type.Integer(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  name: Type.String(),
  description: Type.String(),
  enabled: Type.Boolean(),
  mode: Type.Enum(['pull', 'push']),
  fallback: Type.Enum(['pull', 'error']),
  schedule: Type.Record(Type.String(), Type.Unknown()),
  timeslots: Type.Array(Type.Object({ day: Type.Integer(), from: Type.String(), to: Type.String() })),
  timeslotEnd: Type.Enum(['finish', 'cancel', 'pause'], {
    description: 'what running work does when the window closes: finish (runs on), cancel, pause (chunked server work)',
  }),
  blackouts: Type.Array(Type.Object({ from: Type.String(), to: Type.String() })),
  activeFrom: Type.Union([Type.String(), Type.Null()]),
  activeTill: Type.Union([Type.String(), Type.Null()]),
  misfire: Type.Enum(['skip', 'once', 'all']),
  concurrency: Type.Enum(['allow', 'forbid', 'replace', 'queue']),
  expireAfter: Type.String(),
  jobs: Type.Array(Job),
  /** Absent: the org's default rules apply. */
  notify: Type.Optional(Type.Array(NotifyRuleView)),
  /** Absent: every target at once. */
  rollout: Type.Optional(RolloutDefView),
  calendars: Type.Array(Type.String(), { description: 'shared calendars (by name) whose blackouts apply too' }),
});
export type TaskView = Static<typeof TaskView>;

export const TaskListQuery = Type.Object({ ...OrgPageQuery.properties, enabled: Type.Optional(Type.Boolean()) });

export const HistoryView = Type.Object({
  id: Id,
  taskId: Id,
  actor: Type.Union([Type.String(), Type.Null()]),
  action: Type.Enum(['create', 'update', 'delete', 'enable', 'disable']),
  diff: Type.Unknown({ description: 'create: {created: def}; update: {field: {from, to}}' }),
  at: IsoTime,
});
export type HistoryView = Static<typeof HistoryView>;

/** Most tasks one `POST /api/v1/tasks:batch` creates: a bulk load sends them in chunks of this. */
export const MAX_BATCH_TASKS = 1000;

/** `POST /api/v1/tasks:batch`: tasks created all or none, each checked as `POST /api/v1/tasks` checks one. */
export const TaskBatchBody = Type.Object(
  { tasks: Type.Array(TaskDefBody, { minItems: 1, maxItems: MAX_BATCH_TASKS }) },
  { additionalProperties: false },
);

/** The tasks a batch created, in the order given. */
export const TaskBatchView = Type.Object({
  items: Type.Array(Type.Object({ id: Id, name: Type.String() })),
});
export type TaskBatchView = Static<typeof TaskBatchView>;
