// Staged rollouts: a run's targets reached in cumulative waves, the next wave opening only
// once the earlier ones ended, a pause passed and the failures stayed within a threshold.
// Pure arithmetic here; the engine (engine/rollout.ts) applies it under the run's lock.
import { parseDuration } from './duration.ts';
import { fieldPath, ValidationError } from './errors.ts';
import { readArray, readEnum, readObject } from './validate.ts';

export const ROLLOUT_FIELDS = ['waves', 'pause', 'maxFailures', 'order'] as const;
export const ROLLOUT_ORDERS = ['name', 'random'] as const;
export type RolloutOrder = (typeof ROLLOUT_ORDERS)[number];
const MAX_WAVES = 50;

/** A task's rollout, normalised: waves and maxFailures as written ("10", "25%"), pause in seconds. */
export interface RolloutDef {
  waves: string[];
  pauseSeconds: number;
  /** Null: no threshold, the waves are only paced. */
  maxFailures: string | null;
  order: RolloutOrder;
}

/** A count ("50") or a share ("10%", percent in (0, 100]) of a run's targets. */
export type Quantity = { count: number } | { percent: number };

const QUANTITY = /^(\d{1,9})$|^(\d{1,3}(?:\.\d{1,2})?)%$/;

export function parseQuantity(value: unknown, field: string, minCount: number): Quantity {
  const text = typeof value === 'number' ? String(value) : value;
  const m = typeof text === 'string' ? QUANTITY.exec(text.trim()) : null;
  if (!m) throw new ValidationError(field, 'must be a count ("50") or a share of the targets ("10%")');
  if (m[1] !== undefined) {
    const count = Number(m[1]);
    if (count < minCount) throw new ValidationError(field, `must be at least ${minCount}`);
    return { count };
  }
  const percent = Number(m[2]);
  if (percent <= 0 || percent > 100) throw new ValidationError(field, 'a share must be above 0% and at most 100%');
  return { percent };
}

const formatQuantity = (q: Quantity): string => ('count' in q ? String(q.count) : `${q.percent}%`);

/**
 * Validates a task's `rollout`. Waves are cumulative and must grow: a count after a count
 * (and a share after a share) must be larger, and a 100% wave can only be the last. The
 * last wave need not reach every target: those left over form one more, implied, wave.
 */
export function parseRollout(input: unknown, field: string): RolloutDef {
  const raw = readObject(input, field, ROLLOUT_FIELDS);
  const wavesField = fieldPath(field, 'waves');
  const list = readArray(raw.waves, wavesField, MAX_WAVES);
  if (list.length === 0) throw new ValidationError(wavesField, 'must have at least one wave');
  const waves = list.map((v, i) => parseQuantity(v, fieldPath(wavesField, i), 1));
  waves.forEach((wave, i) => {
    const at = fieldPath(wavesField, i);
    const before = waves[i - 1];
    if ('percent' in wave && wave.percent === 100 && i < waves.length - 1)
      throw new ValidationError(at, '100% reaches every target: only the last wave can');
    if (before === undefined) return;
    const grows =
      'count' in wave && 'count' in before
        ? wave.count > before.count
        : 'percent' in wave && 'percent' in before
          ? wave.percent > before.percent
          : true;
    if (!grows)
      throw new ValidationError(at, `waves are cumulative: must reach more than ${formatQuantity(before)} before it`);
  });
  return {
    waves: waves.map(formatQuantity),
    pauseSeconds: raw.pause === undefined ? 0 : parseDuration(raw.pause, fieldPath(field, 'pause')),
    maxFailures:
      raw.maxFailures === undefined || raw.maxFailures === null
        ? null
        : formatQuantity(parseQuantity(raw.maxFailures, fieldPath(field, 'maxFailures'), 0)),
    order: raw.order === undefined ? 'name' : readEnum(raw.order, fieldPath(field, 'order'), ROLLOUT_ORDERS),
  };
}

/** What a run keeps of its task's rollout, fixed when the run is created (a later edit of the task does not move it). */
export interface RolloutPlan {
  /** Cumulative targets reached by each wave, strictly increasing; the last one is every target. */
  reach: number[];
  pauseSeconds: number;
  maxFailures: string | null;
}

/** A run's rollout: its plan and how many waves are open (1 = the first only). */
export interface RunRollout extends RolloutPlan {
  wave: number;
}

/**
 * The cumulative reach of each wave for `total` targets: a share rounds up (10% of 5 is 1,
 * so a first wave is never empty); waves that add nobody are dropped; targets beyond the
 * last wave form one more.
 */
export function waveReach(waves: readonly string[], total: number): number[] {
  const reach: number[] = [];
  for (const wave of waves) {
    const q = parseQuantity(wave, 'wave', 1);
    const n = Math.min(total, 'count' in q ? q.count : Math.ceil((total * q.percent) / 100));
    if (n > (reach.at(-1) ?? 0)) reach.push(n);
  }
  if ((reach.at(-1) ?? 0) < total) reach.push(total);
  return reach;
}

export function rolloutPlan(def: RolloutDef, total: number): RolloutPlan {
  return { reach: waveReach(def.waves, total), pauseSeconds: def.pauseSeconds, maxFailures: def.maxFailures };
}

export interface NamedTarget {
  /** The agent id; null for the server. */
  id: string | null;
  name: string;
}

/**
 * The run's targets in rollout order: by name (then id), or shuffled with a generator
 * seeded by the run id, so the order is random across runs but the same for one run
 * (every node, every restart computes the same waves).
 */
export function orderTargets<T extends NamedTarget>(targets: readonly T[], order: RolloutOrder, seed: string): T[] {
  const sorted = [...targets].sort((a, b) => compare(a.name, b.name) || compare(a.id ?? '', b.id ?? ''));
  if (order === 'name') return sorted;
  const next = seededRandom(seed);
  for (let i = sorted.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [sorted[i], sorted[j]] = [sorted[j] as T, sorted[i] as T];
  }
  return sorted;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** mulberry32 over an FNV-1a hash of the seed: small, deterministic, good enough to shuffle. */
function seededRandom(seed: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  let state = h >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The wave (1-based) of the target at `index` in rollout order. */
export function waveOf(reach: readonly number[], index: number): number {
  const k = reach.findIndex((n) => index < n);
  return k === -1 ? reach.length : k + 1;
}

/** One target of a rollout run as its jobstates stand: its whole job chain. */
export interface TargetTally {
  wave: number;
  /** One of its jobstates has not ended yet. */
  open: boolean;
  /** One of its jobstates ended in error. */
  failed: boolean;
  /** When its last jobstate ended (null while none did). */
  lastFinishedAt: number | null;
}

/** Whether `failed` of `ended` targets is within maxFailures (a count, or a share of the ended ones). */
export function withinThreshold(maxFailures: string | null, failed: number, ended: number): boolean {
  if (maxFailures === null) return true;
  const q = parseQuantity(maxFailures, 'maxFailures', 0);
  return 'count' in q ? failed <= q.count : failed * 100 <= q.percent * ended;
}

/** What a rollout run does next about its waves. */
export type WaveStep =
  | { kind: 'last' }
  | { kind: 'busy' }
  | { kind: 'pause'; until: number }
  | { kind: 'open'; wave: number }
  | { kind: 'halt'; failed: number; ended: number };

/**
 * The next wave opens when every target of the open waves ended, `pause` passed since the
 * last of them ended, and failed/ended is within maxFailures; past the threshold the run halts.
 */
export function nextWaveStep(rollout: RunRollout, targets: readonly TargetTally[], now: number): WaveStep {
  if (rollout.wave >= rollout.reach.length) return { kind: 'last' };
  const reached = targets.filter((t) => t.wave <= rollout.wave);
  if (reached.some((t) => t.open)) return { kind: 'busy' };
  const failed = reached.filter((t) => t.failed).length;
  if (!withinThreshold(rollout.maxFailures, failed, reached.length))
    return { kind: 'halt', failed, ended: reached.length };
  const lastEnd = Math.max(0, ...reached.map((t) => t.lastFinishedAt ?? 0));
  const until = lastEnd + rollout.pauseSeconds * 1000;
  if (now < until) return { kind: 'pause', until };
  return { kind: 'open', wave: rollout.wave + 1 };
}

/** A wave as monitoring shows it. */
export interface WaveProgress {
  wave: number;
  targets: number;
  ended: number;
  failed: number;
}

/** Targets of a wave not open yet never count as ended (a halt cancels them, but they never ran). */
export function waveProgress(rollout: RunRollout, targets: readonly TargetTally[]): WaveProgress[] {
  return rollout.reach.map((_, i) => {
    const of = targets.filter((t) => t.wave === i + 1);
    return {
      wave: i + 1,
      targets: of.length,
      ended: i < rollout.wave ? of.filter((t) => !t.open).length : 0,
      failed: of.filter((t) => t.failed).length,
    };
  });
}
