import { fieldPath, ValidationError } from '../errors.ts';
import { WEEKDAYS } from '../model.ts';
import { HOUR, MINUTE, wallOfFields } from './wallclock.ts';
import type { Zone } from './zone.ts';

/** Checks of outside input shared by schedules and windows; every error names its field. */

export function expectObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object');
  }
  return value as Record<string, unknown>;
}

export function expectArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array');
  return value;
}

/** Unknown keys are rejected so that a typo ("timezone", "dayz") never goes unnoticed. */
export function rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new ValidationError(fieldPath(field, key), `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }
}

export function expectString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, 'must be a non-empty string');
  return value.trim();
}

export function expectInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** "mon".."sun" → 0..6 (0 = Monday). */
export function parseWeekday(value: unknown, field: string): number {
  const index = typeof value === 'string' ? (WEEKDAYS as readonly string[]).indexOf(value.toLowerCase()) : -1;
  if (index < 0) throw new ValidationError(field, `must be one of ${WEEKDAYS.join(', ')}`);
  return index;
}

const TIME_OF_DAY = /^(\d{2}):(\d{2})$/;

/** "HH:MM" → ms since midnight; "24:00" only when `allowEndOfDay` (a timeslot's `to`). */
export function parseTimeOfDay(value: unknown, field: string, allowEndOfDay = false): number {
  const m = typeof value === 'string' ? TIME_OF_DAY.exec(value) : null;
  const hours = m ? Number(m[1]) : Number.NaN;
  const minutes = m ? Number(m[2]) : Number.NaN;
  const endOfDay = allowEndOfDay && hours === 24 && minutes === 0;
  if (!endOfDay && !(hours <= 23 && minutes <= 59)) {
    throw new ValidationError(field, `must be a time "HH:MM" from 00:00 to ${allowEndOfDay ? '24:00' : '23:59'}`);
  }
  return hours * HOUR + minutes * MINUTE;
}

/** An ISO-8601 date-time: its wall time, and its UTC offset when it has one. */
export interface IsoDateTime {
  wall: number;
  offset: number | null;
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))?$/i;

export function parseIsoDateTime(value: unknown, field: string): IsoDateTime {
  const m = typeof value === 'string' ? ISO_DATE_TIME.exec(value.trim()) : null;
  if (!m) {
    throw new ValidationError(field, 'must be an ISO-8601 date-time such as "2026-12-01T02:00:00+01:00"');
  }
  const fields = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const wall = wallOfFields([...fields, Number((m[7] ?? '0').padEnd(3, '0'))]);
  if (wall === null) throw new ValidationError(field, `"${value}" is not a valid date-time`);
  if (m[8]) return { wall, offset: 0 };
  if (!m[9]) return { wall, offset: null };
  const offset = (Number(m[10]) * HOUR + Number(m[11]) * MINUTE) * (m[9] === '-' ? -1 : 1);
  return { wall, offset };
}

/**
 * An instant from an ISO date-time: exact when it has an offset, otherwise a wall time in
 * `zone` under the DST rule (a time in a gap → the end of the gap, a repeated time → the first).
 */
export function parseInstant(value: unknown, field: string, zone: Zone): number {
  const { wall, offset } = parseIsoDateTime(value, field);
  return offset === null ? zone.instantOf(wall) : wall - offset;
}

/** An instant from an ISO date-time that must carry its offset (no zone to read it in). */
export function parseAbsoluteInstant(value: unknown, field: string): number {
  const { wall, offset } = parseIsoDateTime(value, field);
  if (offset === null) throw new ValidationError(field, 'must have a UTC offset ("Z" or "+01:00")');
  return wall - offset;
}
