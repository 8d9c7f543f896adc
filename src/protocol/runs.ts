import { type Static, Type } from 'typebox';
import { RUN_STATUSES } from '../core/model.ts';
import { Id, IsoTime, NullableIsoTime, OrgPageQuery } from './common.ts';
import { RolloutView } from './rollouts.ts';

export const MAX_RUN_WAIT_SECONDS = 300;

export const JobstateCountsView = Type.Object({
  waiting: Type.Integer(),
  prepared: Type.Integer(),
  running: Type.Integer(),
  finished: Type.Integer(),
  error: Type.Integer(),
  cancelled: Type.Integer(),
  skipped: Type.Integer(),
});

export const RunView = Type.Object({
  id: Id,
  taskId: Id,
  orgId: Id,
  reason: Type.Enum(['schedule', 'manual', 'immediate', 'catch-up']),
  fireAt: IsoTime,
  status: Type.Enum([...RUN_STATUSES]),
  statusReason: Type.Union([Type.String(), Type.Null()]),
  statusReasonText: Type.Union([Type.String(), Type.Null()], { description: 'statusReason in words' }),
  createdAt: IsoTime,
  startedAt: NullableIsoTime,
  finishedAt: NullableIsoTime,
  createdBy: Type.Union([Type.String(), Type.Null()]),
  missed: Type.Union([Type.Object({ count: Type.Integer(), lastFireAt: IsoTime }), Type.Null()], {
    description: 'a missed run: how many firings of one outage it records, from fireAt to lastFireAt',
  }),
  completion: Type.Union([Type.Integer(), Type.Null()], {
    description: 'whole percent of the work that ran to an end (cancelled counts as not done); null: nothing to run',
  }),
  counts: JobstateCountsView,
  rollout: Type.Optional(RolloutView),
  /** Late joiners (a job's targets.lateJoin): until when agents join, and how many did. */
  joinUntil: Type.Optional(IsoTime),
  joined: Type.Optional(Type.Integer({ description: 'agents that joined the run late' })),
});
export type RunView = Static<typeof RunView>;

export const RunNowQuery = Type.Object({
  wait: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_RUN_WAIT_SECONDS,
      description: 'seconds to wait for the run to end: 200 if it did, else 201',
    }),
  ),
});

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x20-\\x7e]+$';
export const IDEMPOTENCY_KEY_HINT = 'must be 1 to 255 printable ASCII characters';

/**
 * Run starts take an `Idempotency-Key`: the same key from the same user within 24 h answers
 * the run the first request started (same status rule, header `Idempotent-Replayed: true`)
 * instead of starting another; with another task or run it is 422 idempotency_key_reused.
 */
export const IdempotencyHeaders = Type.Object({
  [IDEMPOTENCY_KEY_HEADER]: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: IDEMPOTENCY_KEY_PATTERN,
      description: 'a key the client picks per intended run (e.g. a UUID); a retry with it returns the first run',
    }),
  ),
});

export const RunListQuery = Type.Object({
  ...OrgPageQuery.properties,
  task: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  status: Type.Optional(Type.String({ maxLength: 200, description: 'one status or a comma-separated list' })),
  since: Type.Optional(Type.String({ maxLength: 64, description: 'runs fired at or after this ISO time' })),
  until: Type.Optional(Type.String({ maxLength: 64, description: 'runs fired before this ISO time' })),
});
export type RunListQuery = Static<typeof RunListQuery>;
