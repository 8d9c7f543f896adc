import type { RunView } from '../api/types.ts';

export type RolloutView = NonNullable<RunView['rollout']>;

/**
 * A staged rollout as the monitoring line says it: "wave 2/3 — 4/5 ended, 1 failed", or
 * "wave 1/3 halted — 2/5 failed" once its threshold stopped it.
 */
export function waveText(rollout: RolloutView): string {
  const head = `wave ${rollout.wave}/${rollout.waves}`;
  if (rollout.halted) return `${head} halted — ${rollout.failed}/${rollout.ended} failed`;
  const open = rollout.progress[rollout.wave - 1];
  if (!open) return head;
  const failed = open.failed > 0 ? `, ${open.failed} failed` : '';
  return `${head} — ${open.ended}/${open.targets} ended${failed}`;
}

/** Items grouped by their wave, in wave order (items without one: a single group, wave null). */
export function byWave<T extends { wave?: number | undefined }>(items: readonly T[]): [number | null, T[]][] {
  const groups = new Map<number | null, T[]>();
  for (const item of [...items].sort((a, b) => (a.wave ?? 0) - (b.wave ?? 0))) {
    const wave = item.wave ?? null;
    groups.set(wave, [...(groups.get(wave) ?? []), item]);
  }
  return [...groups];
}
