import type { Zone } from './zone.ts';

/** A validated schedule ready to answer "when next?". Times are epoch ms. */
export interface CompiledSchedule {
  readonly tz: string;
  /** The first firing strictly after `after`, or null when the schedule never fires again. */
  next(after: number): number | null;
  /** Plain English, e.g. "At 02:00 on Tuesday, Europe/Paris". */
  describe(): string;
  /**
   * Whether the pattern matches any time at all: an impossible date (February 31st) never
   * does. Decided over a whole 400-year Gregorian cycle, after which every calendar
   * pattern repeats, so "no" means never. Kinds whose every pattern matches leave it out.
   */
  firesEver?(): boolean;
  /**
   * Wall-clock kinds (wall-series.ts): the first wall time (wall ms) at or after `wall` the
   * pattern matches, the same in every zone; for firings in each agent's zone (agent-local.ts).
   */
  firstWallAtOrAfter?(wall: number): number | null;
}

/** One schedule kind: the fields it takes (besides kind and tz) and how it compiles them. */
export interface ScheduleKind {
  readonly fields: readonly string[];
  /** The field a pattern that never fires is blamed on (cron's expr, rrule's rule). */
  readonly patternField?: string;
  /** Validates `obj` (errors name `field`.x) and compiles it in `zone`. */
  compile(obj: Record<string, unknown>, field: string, zone: Zone): CompiledSchedule;
}
