// Shared calendars (issue 15, part 4): named blackouts an org (or the global admin, for every
// org) defines once and tasks list by name. Checked field by field here; how they close a
// task's windows is schedule/calendar-windows.ts.
import { fieldPath, ValidationError } from './errors.ts';
import type { Blackout } from './model.ts';
import type { CalendarBlackouts } from './schedule/calendar-windows.ts';
import { parseBlackouts } from './schedule/index.ts';
import { daysInMonth } from './schedule/wallclock.ts';
import { readArray, readObject, readString } from './validate.ts';

/** What a calendar forbids: absolute ranges, and whole days (MM-DD, in the zone of the task using it) every year. */
export type CalendarRules = CalendarBlackouts;

export interface Calendar extends CalendarRules {
  id: string;
  /** null = global (the global admin's, usable by every org). */
  orgId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A change of an existing calendar; its name stays (tasks refer to it by name). */
export type CalendarChange = Partial<Pick<CalendarRules, 'blackouts' | 'yearly'>>;

export const CALENDAR_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const CALENDAR_NAME_HINT = 'must be 1-64 letters, digits, . _ - (starting with a letter or digit)';
/** How many calendars one task may list. */
export const MAX_TASK_CALENDARS = 20;
const MONTH_DAY = /^(\d{2})-(\d{2})$/;
/** The shape of a yearly day, for the wire schema (protocol/calendars.ts); which days exist is checked here. */
export const YEARLY_DAY_PATTERN = MONTH_DAY.source;
export const YEARLY_DAY_HINT = 'must be a day of the year as "MM-DD", e.g. "12-25"';
export const MAX_BLACKOUTS_PER_CALENDAR = 1000;
export const MAX_YEARLY_DAYS = 366;

export function readCalendarName(value: unknown, field: string): string {
  return readString(value, field, { min: 1, max: 64, pattern: CALENDAR_NAME_PATTERN, patternHint: CALENDAR_NAME_HINT });
}

/** A new calendar: `name`, and `blackouts` and/or `yearly` (both default to none). `global` is the route's. */
export function parseCalendarInput(input: unknown): CalendarRules {
  const raw = readObject(input, '', ['name', 'blackouts', 'yearly', 'global']);
  return {
    name: readCalendarName(raw.name, 'name'),
    blackouts: raw.blackouts === undefined ? [] : readCalendarBlackouts(raw.blackouts),
    yearly: raw.yearly === undefined ? [] : parseYearly(raw.yearly, 'yearly'),
  };
}

export function parseCalendarChange(input: unknown): CalendarChange {
  const raw = readObject(input, '', ['blackouts', 'yearly']);
  const change: CalendarChange = {};
  if (raw.blackouts !== undefined) change.blackouts = readCalendarBlackouts(raw.blackouts);
  if (raw.yearly !== undefined) change.yearly = parseYearly(raw.yearly, 'yearly');
  return change;
}

function readCalendarBlackouts(value: unknown): Blackout[] {
  readArray(value, 'blackouts', MAX_BLACKOUTS_PER_CALENDAR);
  return parseBlackouts(value, 'blackouts');
}

/** Yearly days as "MM-DD"; a day no year has (02-30, 04-31, 13-01) is refused naming its index. 02-29 is kept (leap years). */
export function parseYearly(value: unknown, field: string): string[] {
  const days = readArray(value, field, MAX_YEARLY_DAYS).map((item, i) => {
    const itemField = fieldPath(field, i);
    const match = typeof item === 'string' ? MONTH_DAY.exec(item) : null;
    if (!match) throw new ValidationError(itemField, YEARLY_DAY_HINT);
    const month = Number(match[1]);
    const day = Number(match[2]);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(2000, month)) {
      throw new ValidationError(itemField, `"${item}" is not a day of the year`);
    }
    return item as string;
  });
  return [...new Set(days)].sort();
}

/** A task's `calendars`: distinct names; whether they exist is the server's check (400 naming `calendars[i]`). */
export function parseTaskCalendars(value: unknown, field: string): string[] {
  const names = readArray(value, field, MAX_TASK_CALENDARS).map((v, i) => readCalendarName(v, fieldPath(field, i)));
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) throw new ValidationError(fieldPath(field, i), `"${name}" is listed twice`);
  });
  return names;
}
