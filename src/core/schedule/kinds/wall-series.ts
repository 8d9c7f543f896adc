import type { CompiledSchedule } from '../types.ts';
import type { Zone } from '../zone.ts';

/**
 * The one place the DST rule meets the wall-clock kinds (once with a local time, cron,
 * weekly, monthly, rrule). A kind only says which wall times match (`firstAtOrAfter`, in
 * wall ms); the zone maps each to an instant: a time in a spring gap fires at the end of
 * the gap, a repeated autumn time fires once, at its first occurrence. Because that mapping
 * never goes backwards, the first firing after `after` is the image of the first matching
 * wall time later than every wall time the clock has shown by `after`.
 */
export function wallClockSchedule(
  zone: Zone,
  firstAtOrAfter: (wall: number) => number | null,
  describe: () => string,
): CompiledSchedule {
  return {
    tz: zone.name,
    next(after: number): number | null {
      const wall = firstAtOrAfter(zone.maxWallUpTo(after) + 1);
      return wall === null ? null : zone.instantOf(wall);
    },
    describe,
    firstWallAtOrAfter: firstAtOrAfter,
  };
}
