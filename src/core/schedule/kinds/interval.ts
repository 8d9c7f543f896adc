import { parseDuration } from '../../duration.ts';
import { fieldPath } from '../../errors.ts';
import { capitalise, every } from '../describe.ts';
import { parseInstant } from '../fields.ts';
import type { ScheduleKind } from '../types.ts';
import { formatOffset, formatWall } from '../wallclock.ts';

const UNITS: Array<[string, number]> = [
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/** "Every 90 minutes", "Every 6 hours", "Every second": the largest unit that divides exactly. */
function describeEvery(seconds: number): string {
  const [unit, size] = UNITS.find(([, size]) => seconds % size === 0) ?? ['second', 1];
  return capitalise(every(seconds / size, unit));
}

/**
 * Elapsed time, not wall clock: firings at start + k × every (k ≥ 0), so DST never
 * stretches or shrinks a gap. Without `start` the series is anchored at 1970-01-01T00:00Z,
 * i.e. firings fall on multiples of `every` since the epoch, so the series does not depend
 * on when it was first asked about (a restart computes the same firings).
 */
export const interval: ScheduleKind = {
  fields: ['every', 'start'],
  compile(obj, field, zone) {
    const everyMs = parseDuration(obj.every, fieldPath(field, 'every'), { min: 1 }) * 1000;
    const start = obj.start === undefined ? null : parseInstant(obj.start, fieldPath(field, 'start'), zone);
    const anchor = start ?? 0;
    return {
      tz: zone.name,
      next(after) {
        if (after < anchor) return anchor;
        return anchor + (Math.floor((after - anchor) / everyMs) + 1) * everyMs;
      },
      describe() {
        const text = describeEvery(everyMs / 1000);
        if (start === null) return text;
        return `${text} from ${formatWall(zone.wall(start))} (${formatOffset(zone.offset(start))}), ${zone.name}`;
      },
    };
  },
};
