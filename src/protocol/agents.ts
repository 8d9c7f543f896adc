import { type Static, Type } from 'typebox';
import { Id, IsoTime, NullableIsoTime, OrgPageQuery, Printable, TimeZoneName } from './common.ts';

/**
 * The REST side of agents (`/api/v1/agents`, `/api/v1/enrolment-tokens`): what
 * administrators see and edit. The agents' own protocol is agent.ts.
 */

export const Tag = Printable({ minLength: 1, maxLength: 100 });
const Tags = Type.Array(Tag, { maxItems: 50 });

export const AgentPresence = Type.Enum(['online', 'offline', 'never'], {
  description:
    'online = contacted within one contact period (contactSeconds, or a long poll if longer) plus a margin; never = not since enrolment',
});

export const AgentView = Type.Object({
  id: Id,
  orgId: Id,
  kind: Type.Enum(['taskwarden', 'fusioninventory']),
  deviceId: Type.String(),
  name: Type.String(),
  tags: Type.Array(Type.String(), { description: "what targets select it by: its enrolment token's, then admins'" }),
  requestedTags: Type.Array(Type.String(), {
    description:
      'tags the agent asked for when it enrolled; they target nothing until an admin adopts them (PATCH tags)',
  }),
  enabled: Type.Boolean(),
  version: Type.Union([Type.String(), Type.Null()]),
  modules: Type.Array(Type.String()),
  wakeUrl: Type.Union([Type.String(), Type.Null()], { description: 'null = pull only' }),
  contactSeconds: Type.Integer(),
  presence: AgentPresence,
  lastContactAt: NullableIsoTime,
  nextContactAt: NullableIsoTime,
  lastWakeError: Type.Union([Type.String(), Type.Null()]),
  lastWakeErrorAt: NullableIsoTime,
  reenrolAllowedUntil: Type.Union([IsoTime, Type.Null()], {
    description:
      'until when its device may enrol again (allow-reenrol); null = an enrolment with its device id is refused',
  }),
  enrolmentTokenId: Type.Union([Id, Type.Null()], { description: 'the enrolment token it last enrolled with' }),
  timezone: Type.Union([Type.String(), Type.Null()], {
    description:
      'IANA zone its "tz":"agent" schedules use: an admin\'s override, else the one it reported; null = none',
  }),
  reportedTimezone: Type.Union([Type.String(), Type.Null()], { description: 'the zone the agent last reported' }),
  timezoneOverridden: Type.Boolean({ description: 'an admin set timezone (PATCH); the reported one is then ignored' }),
  createdAt: IsoTime,
});
export type AgentView = Static<typeof AgentView>;

export const AgentListQuery = Type.Object({
  ...OrgPageQuery.properties,
  tag: Type.Optional(Tag),
  enabled: Type.Optional(Type.Boolean()),
});

export const PatchAgentBody = Type.Object(
  {
    name: Type.Optional(Printable({ minLength: 1, maxLength: 200 })),
    tags: Type.Optional(Tags),
    enabled: Type.Optional(Type.Boolean()),
    /** Overrides the zone the agent reports (it sticks over later reports); null goes back to the reported one. */
    timezone: Type.Optional(Type.Union([TimeZoneName, Type.Null()])),
  },
  { additionalProperties: false },
);
export type PatchAgentBody = Static<typeof PatchAgentBody>;

/** The longest an administrator's leave to enrol a device again may last. */
export const MAX_REENROL_SECONDS = 30 * 86_400;
export const DEFAULT_REENROL_SECONDS = 7 * 86_400;

/** `POST /api/v1/agents/:id/allow-reenrol`: the next enrolment with the agent's device id keeps the agent. */
export const AllowReenrolBody = Type.Object(
  {
    // Checked by the duration parser, whose message says what a duration looks like.
    expiresIn: Type.Optional(Type.Unknown({ description: 'seconds or a duration like "2d"; default 7d, at most 30d' })),
  },
  { additionalProperties: false },
);
export type AllowReenrolBody = Static<typeof AllowReenrolBody>;

export const DiagnosisView = Type.Object({
  jobstateId: Id,
  runId: Id,
  taskId: Id,
  task: Type.Union([Type.String(), Type.Null()], { description: 'null when the task was deleted' }),
  job: Type.String(),
  module: Type.String(),
  status: Type.Enum(['waiting', 'prepared', 'running']),
  reason: Type.Union([Type.String(), Type.Null()]),
  attempt: Type.Integer(),
  code: Type.Enum([
    'run_queued',
    'delay',
    'local_time',
    'waiting_previous',
    'timeslot_closed',
    'postponed',
    'retry_backoff',
    'due',
    'prepared',
    'agent_disabled',
    'wake_failed',
    'running',
  ]),
  message: Type.String(),
  until: NullableIsoTime,
});
export type DiagnosisView = Static<typeof DiagnosisView>;

export const AgentDiagnosticsQuery = Type.Object({
  task: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'also explain whether this task (id) reaches the agent' }),
  ),
});

/** Whether one job of a task (or, with `job` null, the task as a whole) reaches the agent, and why not. */
export const ReachLineView = Type.Object({
  job: Type.Union([Type.String(), Type.Null()]),
  reaches: Type.Boolean(),
  code: Type.Enum([
    'reaches',
    'server_job',
    'not_listed',
    'missing_tags',
    'agent_disabled',
    'other_org',
    'task_disabled',
    'not_active_yet',
    'no_longer_active',
    'enrolled_after_run',
  ]),
  message: Type.String(),
});
export type ReachLineView = Static<typeof ReachLineView>;

/** Why each of the agent's open jobstates is not running yet, oldest first; with `?task=`, whether that task reaches it. */
export const AgentDiagnosticsView = Type.Object({
  agent: AgentView,
  items: Type.Array(DiagnosisView),
  reach: Type.Optional(Type.Object({ taskId: Id, task: Type.String(), lines: Type.Array(ReachLineView) })),
});
export type AgentDiagnosticsView = Static<typeof AgentDiagnosticsView>;

export const CreateEnrolmentTokenBody = Type.Object(
  {
    uses: Type.Integer({ minimum: 1, maximum: 100_000, description: 'how many agents may enrol with it' }),
    // Checked by the duration parser, whose message says what a duration looks like.
    expiresIn: Type.Unknown({ description: 'seconds or a duration like "7d"' }),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 50, description: 'given to every agent enrolled with it' })),
  },
  { additionalProperties: false },
);
export type CreateEnrolmentTokenBody = Static<typeof CreateEnrolmentTokenBody>;

export const EnrolmentTokenView = Type.Object({
  id: Id,
  orgId: Id,
  tags: Type.Array(Type.String()),
  usesLeft: Type.Integer(),
  expiresAt: IsoTime,
  createdAt: IsoTime,
  createdBy: Type.Union([Id, Type.Null()]),
  revokedAt: NullableIsoTime,
});
export type EnrolmentTokenView = Static<typeof EnrolmentTokenView>;

/** How to put the token to use on a PC: the same text the CLI prints and the web UI shows. */
export const AgentSetup = Type.Object({
  serverUrl: Type.String({
    description: 'the URL agents are told to reach (publicUrl, else the one this request reached)',
  }),
  agentCommand: Type.String({ description: 'shell lines that install a Taskwarden agent with this token' }),
  fusionInventoryConfig: Type.String({ description: 'agent.cfg lines for a FusionInventory agent' }),
});
export type AgentSetup = Static<typeof AgentSetup>;

/** The only time the token is shown; the server keeps its SHA-256 only. */
export const CreatedEnrolmentToken = Type.Object({
  ...EnrolmentTokenView.properties,
  token: Type.String(),
  setup: AgentSetup,
});
export type CreatedEnrolmentToken = Static<typeof CreatedEnrolmentToken>;
