/**
 * Calendar arithmetic on "wall times": a local date and time written as milliseconds since
 * 1970-01-01T00:00 of the same calendar, as if the zone were UTC. Wall times have no DST;
 * Zone turns them into instants. Day numbers count days since 1970-01-01 (a Thursday).
 */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

export interface CivilDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

/** Day number of a civil date (proleptic Gregorian; H. Hinnant's days_from_civil). */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date of a day number (H. Hinnant's civil_from_days). */
export function civilDate(dn: number): CivilDate {
  const z = dn + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Monday … 6 = Sunday, the timeslot numbering of seed 001. */
export function weekdayOf(dn: number): number {
  return (((dn + 3) % 7) + 7) % 7;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function dayOfWall(wall: number): number {
  return Math.floor(wall / DAY);
}

/**
 * The nth (1..5, or negative from the end) day with `weekday` between two day numbers
 * (inclusive), or null when there is no such day.
 */
export function nthWeekday(first: number, last: number, weekday: number, nth: number): number | null {
  const dn =
    nth > 0
      ? first + ((weekday - weekdayOf(first) + 7) % 7) + 7 * (nth - 1)
      : last - ((weekdayOf(last) - weekday + 7) % 7) - 7 * (-nth - 1);
  return dn >= first && dn <= last ? dn : null;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** "HH:MM" of a time of day in ms (24:00 allowed for the end of a day). */
export function formatTimeOfDay(ms: number): string {
  return `${pad(Math.floor(ms / HOUR))}:${pad(Math.floor((ms % HOUR) / MINUTE))}`;
}

/** "YYYY-MM-DD HH:MM" (with ":SS" when `seconds`) of a wall time. */
export function formatWall(wall: number, seconds = false): string {
  const dn = dayOfWall(wall);
  const { year, month, day } = civilDate(dn);
  const tod = wall - dn * DAY;
  const hms = seconds ? `${formatTimeOfDay(tod)}:${pad(Math.floor((tod % MINUTE) / SECOND))}` : formatTimeOfDay(tod);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)} ${hms}`;
}

/** "+01:00" / "-04:00" / "+10:30" for an offset in ms. */
export function formatOffset(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(offset) / MINUTE);
  return `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** The wall time of date-time fields, or null when they are out of range (Feb 30, 24:00, …). */
export function wallOfFields(fields: readonly number[]): number | null {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, ms = 0] = fields;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  return dayNumber(year, month, day) * DAY + hour * HOUR + minute * MINUTE + second * SECOND + ms;
}
