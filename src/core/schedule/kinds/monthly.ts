import { fieldPath, ValidationError } from '../../errors.ts';
import { ordinalWord, WEEKDAY_NAMES } from '../describe.ts';
import { expectInteger, parseTimeOfDay, parseWeekday } from '../fields.ts';
import type { ScheduleKind } from '../types.ts';
import { civilDate, DAY, dayNumber, dayOfWall, daysInMonth, formatTimeOfDay, nthWeekday } from '../wallclock.ts';
import { wallClockSchedule } from './wall-series.ts';

/** Which day (day number) of a month fires, or null for none (a month without a 5th Friday). */
type DayOfMonth = (year: number, month: number) => number | null;

function absoluteDay(obj: Record<string, unknown>, field: string): { dayOf: DayOfMonth; text: string } {
  if (obj.nth !== undefined || obj.weekday !== undefined) {
    throw new ValidationError(
      fieldPath(field, obj.nth !== undefined ? 'nth' : 'weekday'),
      'use either day or nth + weekday',
    );
  }
  const day = expectInteger(obj.day, fieldPath(field, 'day'), 1, 31);
  const clamped = day > 28 ? ' (last day in shorter months)' : '';
  return {
    // Clamped, as rPath's ScheduleMonthlyAbsolute and most users expect: day 31 runs on Feb 28/29.
    dayOf: (year, month) => dayNumber(year, month, Math.min(day, daysInMonth(year, month))),
    text: `on day ${day} of every month${clamped}`,
  };
}

function relativeDay(obj: Record<string, unknown>, field: string): { dayOf: DayOfMonth; text: string } {
  const n = obj.nth;
  if (n !== -1 && !(typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 5)) {
    throw new ValidationError(fieldPath(field, 'nth'), 'must be 1 to 5, or -1 for the last');
  }
  if (obj.weekday === undefined) throw new ValidationError(fieldPath(field, 'weekday'), 'is required with nth');
  const weekday = parseWeekday(obj.weekday, fieldPath(field, 'weekday'));
  const skipped = n === 5 ? ' (months without one are skipped)' : '';
  return {
    dayOf: (year, month) => {
      const first = dayNumber(year, month, 1);
      return nthWeekday(first, first + daysInMonth(year, month) - 1, weekday, n);
    },
    text: `on the ${ordinalWord(n)} ${WEEKDAY_NAMES[weekday]} of every month${skipped}`,
  };
}

/** `day` 1..31 of every month (clamped), or the `nth` (1..5, -1 = last) `weekday` (rPath MonthlyAbsolute/Relative). */
export const monthly: ScheduleKind = {
  fields: ['day', 'nth', 'weekday', 'at'],
  compile(obj, field, zone) {
    if (obj.day === undefined && obj.nth === undefined) {
      throw new ValidationError(fieldPath(field, 'day'), 'is required (or nth + weekday)');
    }
    const { dayOf, text } = obj.day !== undefined ? absoluteDay(obj, field) : relativeDay(obj, field);
    const at = parseTimeOfDay(obj.at, fieldPath(field, 'at'));
    return wallClockSchedule(
      zone,
      (from) => {
        let { year, month } = civilDate(dayOfWall(from));
        for (;;) {
          const dn = dayOf(year, month);
          if (dn !== null && dn * DAY + at >= from) return dn * DAY + at;
          month = (month % 12) + 1;
          if (month === 1) year++;
        }
      },
      () => `At ${formatTimeOfDay(at)} ${text}, ${zone.name}`,
    );
  },
};
