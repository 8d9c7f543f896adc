import { fieldPath } from '../../errors.ts';
import { parseIsoDateTime } from '../fields.ts';
import type { ScheduleKind } from '../types.ts';
import { formatWall } from '../wallclock.ts';
import { wallClockSchedule } from './wall-series.ts';

/** Runs only on demand: the scheduler never fires it. */
export const manual: ScheduleKind = {
  fields: [],
  compile: (_obj, _field, zone) => ({
    tz: zone.name,
    next: () => null,
    describe: () => 'Manually only (runs on demand)',
  }),
};

/** Fires once when the task is created; the engine does that, so there is no next firing. */
export const immediate: ScheduleKind = {
  fields: [],
  compile: (_obj, _field, zone) => ({
    tz: zone.name,
    next: () => null,
    describe: () => 'Once, immediately when the task is created',
  }),
};

/**
 * One firing at `at`: exact with an offset, a wall time in the zone without one (under the
 * DST rule, like every wall-clock kind). A past `at` never fires.
 */
export const once: ScheduleKind = {
  fields: ['at'],
  compile(obj, field, zone) {
    const { wall, offset } = parseIsoDateTime(obj.at, fieldPath(field, 'at'));
    if (offset === null) {
      return wallClockSchedule(
        zone,
        (from) => (wall >= from ? wall : null),
        () => `Once at ${formatWall(wall)}, ${zone.name}`,
      );
    }
    const at = wall - offset;
    return {
      tz: zone.name,
      next: (after) => (at > after ? at : null),
      describe: () => `Once at ${formatWall(zone.wall(at))}, ${zone.name}`,
    };
  },
};
