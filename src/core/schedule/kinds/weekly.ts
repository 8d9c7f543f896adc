import { fieldPath, ValidationError } from '../../errors.ts';
import { describeWeekdays } from '../describe.ts';
import { expectArray, parseTimeOfDay, parseWeekday } from '../fields.ts';
import type { ScheduleKind } from '../types.ts';
import { DAY, dayOfWall, formatTimeOfDay, weekdayOf } from '../wallclock.ts';
import { wallClockSchedule } from './wall-series.ts';

/** `at` on each of `days` (rPath ScheduleWeekly). */
export const weekly: ScheduleKind = {
  fields: ['days', 'at'],
  compile(obj, field, zone) {
    const daysField = fieldPath(field, 'days');
    const list = expectArray(obj.days, daysField);
    if (list.length === 0) throw new ValidationError(daysField, 'must list at least one day');
    const days = new Set(list.map((d, i) => parseWeekday(d, fieldPath(daysField, i))));
    const at = parseTimeOfDay(obj.at, fieldPath(field, 'at'));
    return wallClockSchedule(
      zone,
      (from) => {
        for (let dn = dayOfWall(from); ; dn++) {
          if (days.has(weekdayOf(dn)) && dn * DAY + at >= from) return dn * DAY + at;
        }
      },
      () => `At ${formatTimeOfDay(at)} ${describeWeekdays([...days])}, ${zone.name}`,
    );
  },
};
