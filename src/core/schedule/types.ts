import type { Zone } from './zone.ts';

/** A validated schedule ready to answer "when next?". Times are epoch ms. */
export interface CompiledSchedule {
  readonly tz: string;
  /** The first firing strictly after `after`, or null when the schedule never fires again. */
  next(after: number): number | null;
  /** Plain English, e.g. "At 02:00 on Tuesday, Europe/Paris". */
  describe(): string;
}

/** One schedule kind: the fields it takes (besides kind and tz) and how it compiles them. */
export interface ScheduleKind {
  readonly fields: readonly string[];
  /** Validates `obj` (errors name `field`.x) and compiles it in `zone`. */
  compile(obj: Record<string, unknown>, field: string, zone: Zone): CompiledSchedule;
}
