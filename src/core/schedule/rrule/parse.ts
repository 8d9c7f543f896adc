import { ValidationError } from '../../errors.ts';
import type { IsoDateTime } from '../fields.ts';
import { DAY, wallOfFields } from '../wallclock.ts';

/** The RFC 5545 RRULE subset Taskwarden expands (see expand.ts). */
export type Freq = 'YEARLY' | 'MONTHLY' | 'WEEKLY' | 'DAILY' | 'HOURLY' | 'MINUTELY';
const FREQS: readonly Freq[] = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY'];
const RFC_WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
/** COUNT is expanded up front, so it is bounded. */
export const MAX_COUNT = 100_000;

/** A BYDAY entry: weekday 0 = Monday; nth 0 = every such day, else the nth (negative: from the end). */
export interface ByDay {
  weekday: number;
  nth: number;
}

export interface Rule {
  freq: Freq;
  interval: number;
  count: number | null;
  /** UNTIL: a wall time (date or local date-time) or, with Z, an instant (offset 0). */
  until: IsoDateTime | null;
  byMonth: number[] | null;
  byMonthDay: number[] | null;
  byDay: ByDay[] | null;
  byHour: number[] | null;
  byMinute: number[] | null;
  bySecond: number[] | null;
  /** Week start for WEEKLY periods, 0 = Monday (the RFC default). */
  wkst: number;
}

const PARTS = [
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYMONTH',
  'BYMONTHDAY',
  'BYDAY',
  'BYHOUR',
  'BYMINUTE',
  'BYSECOND',
  'WKST',
];

function integers(name: string, value: string, min: number, max: number, field: string): number[] {
  const values = value.split(',').map((v) => (/^[+-]?\d+$/.test(v) ? Number(v) : Number.NaN));
  if (values.some((v) => !(v >= min && v <= max) || (v === 0 && min < 0))) {
    throw new ValidationError(
      field,
      `${name}=${value}: values must be integers from ${min} to ${max}${min < 0 ? ', not 0' : ''}`,
    );
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

function weekday(name: string, code: string, field: string): number {
  const index = RFC_WEEKDAYS.indexOf(code);
  if (index < 0) throw new ValidationError(field, `${name}: "${code}" is not one of ${RFC_WEEKDAYS.join(', ')}`);
  return index;
}

function byDay(value: string, freq: Freq, field: string): ByDay[] {
  return value.split(',').map((entry) => {
    const m = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(entry);
    if (!m) throw new ValidationError(field, `BYDAY: "${entry}" is not a weekday such as MO, 2TU or -1FR`);
    const nth = m[1] ? Number(m[1]) : 0;
    const max = freq === 'YEARLY' ? 53 : 5;
    if (m[1] && (nth === 0 || Math.abs(nth) > max)) {
      throw new ValidationError(field, `BYDAY: "${entry}": the position must be 1..${max} or -${max}..-1`);
    }
    if (nth !== 0 && freq !== 'MONTHLY' && freq !== 'YEARLY') {
      throw new ValidationError(field, `BYDAY: "${entry}": a position is only allowed with FREQ=MONTHLY or YEARLY`);
    }
    return { weekday: weekday('BYDAY', m[2] as string, field), nth };
  });
}

/** UNTIL as YYYYMMDD (through the end of that day), YYYYMMDDTHHMMSS (local) or …Z (UTC). */
function until(value: string, field: string): IsoDateTime {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(value);
  const wall = m && wallOfFields([1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)));
  if (!m || wall === null) {
    throw new ValidationError(field, `UNTIL=${value}: must be YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ`);
  }
  if (m[4] === undefined) return { wall: wall + DAY - 1, offset: null };
  return { wall, offset: m[7] ? 0 : null };
}

/** Parses "FREQ=…;…" (an "RRULE:" prefix is accepted). Errors are ValidationErrors on `field`. */
export function parseRule(text: string, field: string): Rule {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (/DTSTART|[\r\n]/i.test(body)) {
    throw new ValidationError(field, 'give the rule alone ("FREQ=…;…"); put DTSTART in "start" and TZID in "tz"');
  }
  const parts = new Map<string, string>();
  for (const item of body.split(';').filter(Boolean)) {
    const [name = '', value, ...rest] = item.split('=');
    const key = name.toUpperCase();
    if (value === undefined || value === '' || rest.length > 0)
      throw new ValidationError(field, `"${item}" is not NAME=VALUE`);
    if (!PARTS.includes(key))
      throw new ValidationError(field, `${key} is not supported (supported: ${PARTS.join(', ')})`);
    if (parts.has(key)) throw new ValidationError(field, `${key} is given twice`);
    parts.set(key, value.toUpperCase());
  }
  const freq = parts.get('FREQ') as Freq | undefined;
  if (!freq || !FREQS.includes(freq)) throw new ValidationError(field, `FREQ must be one of ${FREQS.join(', ')}`);
  const get = (name: string) => parts.get(name);
  const list = (name: string, min: number, max: number) => {
    const value = get(name);
    return value === undefined ? null : integers(name, value, min, max, field);
  };
  const scalar = (name: string, min: number, max: number) => {
    const value = get(name);
    if (value?.includes(',')) throw new ValidationError(field, `${name}=${value}: must be a single number`);
    return list(name, min, max)?.[0] ?? null;
  };
  if (get('COUNT') !== undefined && get('UNTIL') !== undefined) {
    throw new ValidationError(field, 'COUNT and UNTIL cannot both be given');
  }
  if (get('BYMONTHDAY') !== undefined && freq === 'WEEKLY') {
    throw new ValidationError(field, 'BYMONTHDAY is not allowed with FREQ=WEEKLY');
  }
  const byDayValue = get('BYDAY');
  const wkst = get('WKST');
  return {
    freq,
    interval: scalar('INTERVAL', 1, 100_000) ?? 1,
    count: scalar('COUNT', 1, MAX_COUNT),
    until: get('UNTIL') === undefined ? null : until(get('UNTIL') as string, field),
    byMonth: list('BYMONTH', 1, 12),
    byMonthDay: list('BYMONTHDAY', -31, 31),
    byDay: byDayValue === undefined ? null : byDay(byDayValue, freq, field),
    byHour: list('BYHOUR', 0, 23),
    byMinute: list('BYMINUTE', 0, 59),
    bySecond: list('BYSECOND', 0, 59),
    wkst: wkst === undefined ? 0 : weekday('WKST', wkst, field),
  };
}
