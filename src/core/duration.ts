import { ValidationError } from './errors.ts';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const DURATION = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/;

/**
 * Parses a duration given as seconds (number or digits) or "30s" "15m" "6h" "2d" "1w"
 * into whole seconds. `field` names the value in the error message.
 */
export function parseDuration(value: unknown, field: string, opts: { min?: number } = {}): number {
  const min = opts.min ?? 0;
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string' && /^\d+$/.test(value.trim())) {
    seconds = Number(value.trim());
  } else if (typeof value === 'string') {
    const m = DURATION.exec(value.trim());
    if (!m) throw new ValidationError(field, `"${value}" is not a duration (use seconds or 30s, 15m, 6h, 2d, 1w)`);
    seconds = Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
  } else {
    throw new ValidationError(field, 'must be a duration (seconds or a string like "15m")');
  }
  if (!Number.isFinite(seconds) || seconds < min) {
    throw new ValidationError(field, `must be at least ${min} seconds`);
  }
  return Math.round(seconds);
}

/** Seconds back to the shortest exact "90m"/"2h"/"45s" form, for display and task files. */
export function formatDuration(seconds: number): string {
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    const size = UNIT_SECONDS[unit] as number;
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
