import { type Static, type TSchema, Type } from 'typebox';
import { CALENDAR_NAME_PATTERN, MAX_TASK_CALENDARS } from '../core/calendar.ts';
import { NOTIFY_ON, TIMESLOT_ENDS } from '../core/model.ts';
import { CHANNEL_NAME_PATTERN } from '../core/notify.ts';
import { ROLLOUT_ORDERS } from '../core/rollout.ts';
import { KINDS } from '../core/schedule/kinds/index.ts';
import { Printable } from './common.ts';

/**
 * The task definition on the wire (the Contract's shape, see DESIGN.md and examples/): the
 * one schema the server validates task bodies with and the OpenAPI shows, and the one the
 * definitions that come without a request are checked with (protocol/task-def-check.ts).
 * What a schema cannot say (a duration's value, a schedule that never fires, a module's
 * params, which of the target selectors is given, …) the core checks after it
 * (core/task-def.ts), naming the field the same way.
 */

/** A task's or a job's name. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$';
export const NAME_HINT = 'must be 1-100 letters, digits, spaces, . _ -';

/** "30s", "5m", "2h", "1d", "1w" or seconds; checked and normalised by core/duration.ts. */
const Duration = (description: string) =>
  Type.Unsafe<string | number>({ type: ['string', 'number'], maxLength: 32, description });
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: NAME_PATTERN });
const TimeOfDay = Type.String({ maxLength: 5, description: '"HH:MM" in the schedule\'s zone' });
const Instant = Type.String({ maxLength: 64, description: 'ISO-8601 date-time' });
const Zone = {
  tz: Type.Optional(Type.String({ maxLength: 64, description: 'IANA zone, or "agent": each target\'s own zone' })),
  fallbackTz: Type.Optional(Type.String({ maxLength: 64, description: 'with tz "agent": for agents of unknown zone' })),
};
const kind = <K extends string, P extends Record<string, TSchema>>(name: K, properties: P, description: string) =>
  Type.Object({ kind: Type.Literal(name), ...Zone, ...properties }, { additionalProperties: false, description });

export const ScheduleKinds = {
  manual: kind('manual', {}, 'only when started by hand'),
  immediate: kind('immediate', {}, 'once, as soon as saved'),
  once: kind('once', { at: Instant }, 'once, at a time'),
  interval: kind(
    'interval',
    { every: Duration('time between firings'), start: Type.Optional(Instant) },
    'every so long, from start',
  ),
  cron: kind(
    'cron',
    { expr: Type.String({ maxLength: 200, description: '5 fields, or 6 with seconds first' }) },
    'cron',
  ),
  weekly: kind(
    'weekly',
    {
      days: Type.Array(Type.String({ maxLength: 9, description: 'mon … sun' }), { minItems: 1, maxItems: 7 }),
      at: TimeOfDay,
    },
    'at a time on days of the week',
  ),
  monthly: kind(
    'monthly',
    {
      day: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
      nth: Type.Optional(Type.Integer({ minimum: -1, maximum: 5, description: '1..5, -1 = last' })),
      weekday: Type.Optional(Type.String({ maxLength: 9 })),
      at: TimeOfDay,
    },
    'on a day of the month (day), or the nth weekday',
  ),
  rrule: kind(
    'rrule',
    { rule: Type.String({ maxLength: 1000, description: 'RFC 5545 RRULE' }), start: Type.Optional(Instant) },
    'an iCalendar recurrence rule',
  ),
} as const;

/** One of the kinds, told apart by `kind` (ajv's discriminator: errors come from that kind's schema only). */
export const ScheduleDef = Type.Unsafe<Static<(typeof ScheduleKinds)[keyof typeof ScheduleKinds]>>({
  type: 'object',
  oneOf: Object.values(ScheduleKinds),
  discriminator: { propertyName: 'kind' },
  description: 'when the task fires',
});
export type ScheduleDef = Static<typeof ScheduleDef>;

export const TimeslotDef = Type.Object(
  { day: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Monday' }), from: TimeOfDay, to: TimeOfDay },
  { additionalProperties: false },
);
export const BlackoutDef = Type.Object({ from: Instant, to: Instant }, { additionalProperties: false });

/** Exactly one selector (server, agents, tags, all); lateJoin for agent selectors. */
export const TargetsDef = Type.Object(
  {
    server: Type.Optional(Type.Literal(true)),
    agents: Type.Optional(Type.Array(Printable({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 10_000 })),
    tags: Type.Optional(Type.Array(Printable({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 10_000 })),
    all: Type.Optional(Type.Literal(true)),
    lateJoin: Type.Optional(Duration('keep the run open this long (≤ 90d) for agents that match later')),
  },
  { additionalProperties: false, description: 'exactly one of server, agents, tags, all' },
);

export type TargetsDef = Static<typeof TargetsDef>;

export const RetryDef = Type.Object(
  {
    attempts: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    backoff: Type.Optional(Duration('wait before each new attempt')),
  },
  { additionalProperties: false },
);

export const JobDefBody = Type.Object(
  {
    name: Name,
    module: Type.String({ minLength: 1, maxLength: 64, description: 'a module of GET /api/v1/modules' }),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "the module's params schema" })),
    targets: Type.Optional(TargetsDef),
    delay: Type.Optional(Duration('wait after the previous job')),
    startIf: Type.Optional(Type.Enum(['always', 'success', 'failure'])),
    timeout: Type.Optional(Duration('default 1h')),
    retry: Type.Optional(RetryDef),
  },
  { additionalProperties: false },
);

/** A notification channel's name (core/notify.ts), as a channel is created and a task names it. */
export const ChannelName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: CHANNEL_NAME_PATTERN.source,
  description: '1-64 letters, digits, . _ -',
});

/** A shared calendar's name (core/calendar.ts), as a calendar is created and a task names it. */
export const CalendarName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: CALENDAR_NAME_PATTERN.source,
  description: '1-64 letters, digits, . _ -',
});

export const NotifyRuleDef = Type.Object(
  {
    on: Type.Array(Type.Enum([...NOTIFY_ON]), { minItems: 1, maxItems: NOTIFY_ON.length }),
    channels: Type.Array(ChannelName, { minItems: 1 }),
    when: Type.Optional(Type.Enum(['always', 'changed'])),
  },
  { additionalProperties: false },
);

export const RolloutDef = Type.Object(
  {
    waves: Type.Array(Type.Unsafe<string | number>({ type: ['string', 'number'], maxLength: 16 }), {
      minItems: 1,
      maxItems: 50,
      description: 'cumulative targets per wave: a count ("50") or a share ("10%")',
    }),
    pause: Type.Optional(Duration('after the open waves ended, before the next opens')),
    maxFailures: Type.Optional(Type.Unsafe<string | number>({ type: ['string', 'number'], maxLength: 16 })),
    order: Type.Optional(Type.Enum([...ROLLOUT_ORDERS])),
  },
  { additionalProperties: false },
);

export const CalendarNamesDef = Type.Array(CalendarName, {
  maxItems: MAX_TASK_CALENDARS,
  description: 'shared calendars (by name) whose blackouts apply too',
});

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const taskProperties = {
  name: Name,
  description: Type.Optional(Printable({ maxLength: 2000 })),
  enabled: Type.Optional(Type.Boolean()),
  mode: Type.Optional(Type.Enum(['pull', 'push'])),
  fallback: Type.Optional(Type.Enum(['pull', 'error'])),
  schedule: Type.Optional(ScheduleDef),
  timeslots: Type.Optional(Type.Array(TimeslotDef, { maxItems: 1000 })),
  timeslotEnd: Type.Optional(Type.Enum([...TIMESLOT_ENDS])),
  blackouts: Type.Optional(Type.Array(BlackoutDef, { maxItems: 1000 })),
  activeFrom: Type.Optional(nullable(Instant)),
  activeTill: Type.Optional(nullable(Instant)),
  misfire: Type.Optional(Type.Enum(['skip', 'once', 'all'])),
  concurrency: Type.Optional(Type.Enum(['allow', 'forbid', 'replace', 'queue'])),
  expireAfter: Type.Optional(Duration('a pending run older than this is missed')),
  jobs: Type.Array(JobDefBody, { minItems: 1, maxItems: 100 }),
  notify: Type.Optional(Type.Array(NotifyRuleDef, { maxItems: 20, description: "absent: the org's default rules" })),
  rollout: Type.Optional(nullable(RolloutDef)),
  calendars: Type.Optional(CalendarNamesDef),
};

/** A task definition as POST/PUT /api/v1/tasks take it; absent fields take their defaults. */
export const TaskDefBody = Type.Object(taskProperties, { additionalProperties: false });
export type TaskDefBody = Static<typeof TaskDefBody>;

/** The fields of a definition and of a job, in the order of the task file (`task export`, GET). */
export const TASK_FIELDS = Object.keys(taskProperties) as (keyof TaskDefBody)[];
export const JOB_FIELDS = Object.keys(JobDefBody.properties) as (keyof Static<typeof JobDefBody>)[];

if (Object.keys(ScheduleKinds).sort().join() !== Object.keys(KINDS).sort().join())
  throw new Error('protocol/task-def.ts and core/schedule/kinds list different schedule kinds');
