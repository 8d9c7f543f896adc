import { type Static, Type } from 'typebox';

export const WaveProgressView = Type.Object({
  wave: Type.Integer({ minimum: 1 }),
  targets: Type.Integer({ description: 'targets in this wave' }),
  ended: Type.Integer({ description: 'of them, those whose whole job chain ended' }),
  failed: Type.Integer({ description: 'of them, those with a job in error' }),
});

/** A run's staged rollout, for the run view and the monitoring line ("wave 2/3"). */
export const RolloutView = Type.Object({
  wave: Type.Integer({ minimum: 1, description: 'waves open so far (1 = the first)' }),
  waves: Type.Integer({ description: "how many waves this run's targets make" }),
  halted: Type.Boolean({ description: 'the run ended error/rollout_halted: POST …/resume opens its next wave' }),
  pause: Type.String({ description: 'after the open waves ended, before the next one opens' }),
  maxFailures: Type.Union([Type.String(), Type.Null()], { description: 'a count or a share; null: never halts' }),
  failed: Type.Integer({ description: 'targets failed so far' }),
  ended: Type.Integer({ description: 'targets ended so far' }),
  progress: Type.Array(WaveProgressView),
});
export type RolloutView = Static<typeof RolloutView>;

/** A task's `rollout` as written (see DESIGN.md, Fleet scheduling). */
export const RolloutDefView = Type.Object({
  waves: Type.Array(Type.String(), { description: 'cumulative targets per wave: a count ("50") or a share ("10%")' }),
  pause: Type.String(),
  maxFailures: Type.Optional(Type.String()),
  order: Type.Enum(['name', 'random']),
});
