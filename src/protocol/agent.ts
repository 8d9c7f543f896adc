import { type Static, Type } from 'typebox';
import { AGENT_DEFAULT_LISTEN_PORT, AGENT_LONG_POLL_MAX_SECONDS, WAKE_HEADERS } from './agent-constants.ts';
import { Printable, TimeZoneName } from './common.ts';

/**
 * The agent protocol, `/agent/v1`: JSON over HTTP(S). These schemas are the contract
 * between the server (src/server) and the agent runtime (src/agent); both validate with them.
 *
 * Authentication: every call but `enrol` carries `Authorization: Bearer <agentId>.<secret>`.
 * The agent is who its credential says; ids in a body never name another agent or org.
 *
 * Push wakes (server → agent `POST /wake`) carry three headers:
 *   x-taskwarden-timestamp (epoch ms), x-taskwarden-nonce (random hex, 16..64 chars),
 *   x-taskwarden-signature = hex HMAC-SHA256 keyed with the agent's wake key (SHA-256 hex
 *   of its secret: the server stores only that) over `${timestamp}.${nonce}.${agentId}`.
 *   The agent refuses a timestamp more than 60 s off its clock and a nonce it has seen in
 *   the last 120 s (replay). Both sides use protocol/wake-signature.ts.
 */

const MAX_NAME = 200;
const MAX_LIST = 200;
const AgentIdString = Type.String({ minLength: 1, maxLength: 100 });
/** What the agent says of itself; shown in listings, so printable like names. */
const AgentVersion = Printable({ maxLength: 50 });
const ModuleNames = Type.Array(Printable({ maxLength: 64 }), { maxItems: MAX_LIST });

export { AGENT_DEFAULT_LISTEN_PORT, AGENT_LONG_POLL_MAX_SECONDS, WAKE_HEADERS };

export const EnrolBody = Type.Object(
  {
    token: Type.String({ minLength: 8, maxLength: 200 }),
    deviceId: Type.String({ minLength: 1, maxLength: MAX_NAME, pattern: '^[A-Za-z0-9._:@-]+$' }),
    name: Type.Optional(Printable({ minLength: 1, maxLength: MAX_NAME })),
    /** Asked for, not given: see EnrolReply.tags. */
    tags: Type.Optional(Type.Array(Printable({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
    version: Type.Optional(AgentVersion),
    modules: Type.Optional(ModuleNames),
    /**
     * `http://<address>:<port>` where the agent listens for push wakes (`POST /wake`): the
     * address it calls from (loopback for an agent on the server's machine), a port above 1023.
     */
    wakeUrl: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
    /** The agent's IANA zone, from its OS (TZ): where a `tz: "agent"` schedule reads its wall times. */
    timezone: Type.Optional(TimeZoneName),
  },
  { additionalProperties: false },
);
export type EnrolBody = Static<typeof EnrolBody>;

export const EnrolReply = Type.Object({
  agentId: AgentIdString,
  /** Shown once; the server keeps only its hash. */
  secret: Type.String(),
  contactSeconds: Type.Integer(),
  /**
   * The tags the agent got (its enrolment token's). Tags asked for in the body target nothing:
   * the agent view shows them as `requestedTags`, for an administrator to adopt or not.
   */
  tags: Type.Optional(Type.Array(Type.String())),
});
export type EnrolReply = Static<typeof EnrolReply>;

export const ContactBody = Type.Object(
  {
    version: AgentVersion,
    modules: ModuleNames,
    /** Jobstate ids the agent is running now; the reply says which of them to stop. */
    running: Type.Array(AgentIdString, { maxItems: 1000 }),
    /**
     * True when the agent's previous contact got no answer (it failed, or this process just
     * started): a job handed out in that lost answer and missing from `running` never ran,
     * and is offered again instead of ending agent_lost.
     */
    replyLost: Type.Optional(Type.Boolean()),
    /** Long-poll: answer as soon as work is prepared for this agent, or after this many seconds. */
    wait: Type.Optional(Type.Integer({ minimum: 0, maximum: AGENT_LONG_POLL_MAX_SECONDS })),
    /** How many new jobs the agent takes now (its free slots). */
    capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    wakeUrl: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
    /** As at enrolment; a change (the machine moved, TZ changed) is taken at each contact. */
    timezone: Type.Optional(TimeZoneName),
  },
  { additionalProperties: false },
);
export type ContactBody = Static<typeof ContactBody>;

export const AgentJob = Type.Object({
  jobstate: AgentIdString,
  attempt: Type.Integer({ minimum: 1 }),
  module: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
  /** What the module's server half prepared for this job (e.g. a rendered argv, package files). */
  payload: Type.Unknown(),
  timeoutSeconds: Type.Integer({ minimum: 1 }),
});
export type AgentJob = Static<typeof AgentJob>;

export const ContactReply = Type.Object({
  jobs: Type.Array(AgentJob),
  /** Running jobstates (from `running`) the agent must stop: cancelled, timed out or reassigned. */
  stop: Type.Array(AgentIdString),
  contactSeconds: Type.Integer(),
  serverTime: Type.String({ format: 'date-time' }),
});
export type ContactReply = Static<typeof ContactReply>;

/**
 * One event of a job. `seq` increases per (jobstate, attempt) from 1; the server applies
 * each seq once, so an agent may resend its spool after a restart without duplicates.
 */
export const AgentEvent = Type.Union([
  Type.Object(
    { seq: Type.Integer({ minimum: 1 }), ts: Type.Integer(), type: Type.Literal('started') },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      seq: Type.Integer({ minimum: 1 }),
      ts: Type.Integer(),
      type: Type.Literal('log'),
      stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr'), Type.Literal('info')]),
      line: Type.String({ maxLength: 8192 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      seq: Type.Integer({ minimum: 1 }),
      ts: Type.Integer(),
      type: Type.Literal('progress'),
      percent: Type.Number({ minimum: 0, maximum: 100 }),
      message: Type.Optional(Type.String({ maxLength: 500 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      seq: Type.Integer({ minimum: 1 }),
      ts: Type.Integer(),
      type: Type.Union([Type.Literal('finished'), Type.Literal('error')]),
      result: Type.Optional(Type.Unknown()),
      reason: Type.Optional(Type.String({ maxLength: 64 })),
    },
    { additionalProperties: false },
  ),
]);
export type AgentEvent = Static<typeof AgentEvent>;

export const EventsBody = Type.Object(
  {
    attempt: Type.Integer({ minimum: 1 }),
    events: Type.Array(AgentEvent, { minItems: 1, maxItems: 1000 }),
  },
  { additionalProperties: false },
);
export type EventsBody = Static<typeof EventsBody>;

/** 200 reply; 409 = an older attempt (stop, discard), 410 = cancelled (stop the job). */
export const EventsReply = Type.Object({ applied: Type.Integer(), lastSeq: Type.Integer() });
export type EventsReply = Static<typeof EventsReply>;
