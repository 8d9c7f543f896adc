import { formatDuration } from '../core/duration.ts';
import type { Run } from '../core/model.ts';
import type { Store } from '../core/ports/store.ts';
import { type RolloutDef, waveProgress } from '../core/rollout.ts';
import type { RolloutView } from '../protocol/rollouts.ts';

/** A rollout run's waves as the API shows them (one grouped query); undefined for a run without one. */
export async function loadRolloutView(store: Store, run: Run): Promise<RolloutView | undefined> {
  if (!run.rollout) return undefined;
  const progress = waveProgress(run.rollout, await store.rollouts.tally(run.id));
  return {
    wave: run.rollout.wave,
    waves: run.rollout.reach.length,
    halted: run.status === 'error' && run.statusReason === 'rollout_halted',
    pause: formatDuration(run.rollout.pauseSeconds),
    maxFailures: run.rollout.maxFailures,
    failed: progress.reduce((n, w) => n + w.failed, 0),
    ended: progress.reduce((n, w) => n + w.ended, 0),
    progress,
  };
}

/** A task's rollout in the shape it is written in (pause back to "30m"). */
export function rolloutDefView(def: RolloutDef) {
  return {
    waves: def.waves,
    pause: formatDuration(def.pauseSeconds),
    ...(def.maxFailures === null ? {} : { maxFailures: def.maxFailures }),
    order: def.order,
  };
}
