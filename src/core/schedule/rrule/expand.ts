import {
  civilDate,
  DAY,
  dayNumber,
  dayOfWall,
  daysInMonth,
  HOUR,
  MINUTE,
  nthWeekday,
  SECOND,
  weekdayOf,
} from '../wallclock.ts';
import type { ByDay, Rule } from './parse.ts';

/**
 * Expands a Rule in wall time (DST is the caller's business, see wall-series.ts).
 * Periods (a year, month, week, day, hour or minute by FREQ) are numbered from the one
 * holding `start`; every INTERVAL-th is expanded by the BY* parts as RFC 5545 §3.3.10
 * says, and occurrences before `start` are dropped. `start` only anchors the series: it
 * is not an occurrence unless it matches the rule (as in rrule.js and AWX).
 */

/** Any calendar pattern that can match does so within a 400-year Gregorian cycle. */
const HORIZON = 400 * 366 * DAY;
const MINUTES_PER_DAY = 1440;
const ALL_MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

function product(...lists: number[][]): number[] {
  return lists.reduce<number[]>((acc, list) => acc.flatMap((a) => list.map((b) => a + b)), [0]).sort((a, b) => a - b);
}

function hourOfDay(wall: number): number {
  return Math.floor((wall - dayOfWall(wall) * DAY) / HOUR);
}

function sortedUnique(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Whether an HOURLY or MINUTELY rule's periods ever fall on its BYHOUR/BYMINUTE. Period
 * k·INTERVAL from the anchor starts at (anchor's minute of day + k·INTERVAL) mod a day,
 * which over all k takes exactly the values congruent to the anchor's modulo
 * gcd(INTERVAL, a day): if none of those is allowed, no period ever is. Decided by
 * arithmetic, where walking 400 years of minutes to find nothing takes seconds
 * (FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1 from an even minute).
 */
function subDailyReachable(rule: Rule, timeBase: number): boolean {
  const unit = rule.freq === 'HOURLY' ? 60 : rule.freq === 'MINUTELY' ? 1 : null;
  if (unit === null) return true;
  const step = gcd((rule.interval * unit) % MINUTES_PER_DAY, MINUTES_PER_DAY);
  const anchor = Math.floor((timeBase - dayOfWall(timeBase) * DAY) / MINUTE);
  for (let minute = anchor % step; minute < MINUTES_PER_DAY; minute += step) {
    const hourOk = !rule.byHour || rule.byHour.includes(Math.floor(minute / 60));
    // HOURLY periods start on the hour; their BYMINUTE is an offset inside the period, always there.
    const minuteOk = unit === 60 || !rule.byMinute || rule.byMinute.includes(minute % 60);
    if (hourOk && minuteOk) return true;
  }
  return false;
}

export class RuleSeries {
  private readonly startDay: number;
  private readonly startDate: { year: number; month: number; day: number };
  /** First day of the week holding `start` (WEEKLY periods). */
  private readonly weekBase: number;
  /** Start of period 0 for HOURLY and MINUTELY. */
  private readonly timeBase: number;
  /** Offsets inside a period's day (DAILY and longer) or inside the hour/minute (HOURLY, MINUTELY). */
  private readonly offsets: number[];
  private occurrences: number[] | null = null;
  /** False when no period can ever match (subDailyReachable): every question answers null at once. */
  private readonly reachable: boolean;

  constructor(
    private readonly rule: Rule,
    private readonly start: number,
    /** Last wall time allowed (from UNTIL), or null. */
    private readonly until: number | null,
  ) {
    this.startDay = dayOfWall(start);
    this.startDate = civilDate(this.startDay);
    this.weekBase = this.startDay - ((weekdayOf(this.startDay) - rule.wkst + 7) % 7);
    const tod = start - this.startDay * DAY;
    const hours = (rule.byHour ?? [Math.floor(tod / HOUR)]).map((h) => h * HOUR);
    const minutes = (rule.byMinute ?? [Math.floor((tod % HOUR) / MINUTE)]).map((m) => m * MINUTE);
    const seconds = (rule.bySecond ?? [Math.floor((tod % MINUTE) / SECOND)]).map((s) => s * SECOND);
    const unit = rule.freq === 'HOURLY' ? HOUR : rule.freq === 'MINUTELY' ? MINUTE : DAY;
    this.timeBase = Math.floor(start / unit) * unit;
    if (rule.freq === 'HOURLY') this.offsets = product(minutes, seconds);
    else if (rule.freq === 'MINUTELY') this.offsets = seconds;
    else this.offsets = product(hours, minutes, seconds);
    this.reachable = subDailyReachable(rule, this.timeBase);
  }

  /** The first occurrence at or after `wall`, or null. */
  firstAtOrAfter(wall: number): number | null {
    if (!this.reachable) return null;
    const from = Math.max(wall, this.start);
    if (this.rule.count === null) {
      const first = this.walk(from).next();
      return first.done ? null : first.value;
    }
    // COUNT numbers occurrences from the start, so the whole (bounded) series is listed once.
    this.occurrences ??= this.take(this.rule.count);
    const list = this.occurrences;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    return list[lo] ?? null;
  }

  private take(count: number): number[] {
    const out: number[] = [];
    for (const wall of this.walk(this.start)) {
      out.push(wall);
      if (out.length === count) break;
    }
    return out;
  }

  private *walk(from: number): Generator<number> {
    const limit = Math.min(this.until ?? Number.POSITIVE_INFINITY, from + HORIZON);
    for (let p = this.alignUp(this.periodOf(from)); this.periodStart(p) <= limit; p = this.nextPeriod(p)) {
      for (const wall of this.candidates(p)) {
        if (wall > limit) return;
        if (wall >= from) yield wall;
      }
    }
  }

  /** Smallest period index ≥ p that INTERVAL selects. */
  private alignUp(p: number): number {
    return Math.ceil(p / this.rule.interval) * this.rule.interval;
  }

  private periodOf(wall: number): number {
    const dn = dayOfWall(wall);
    switch (this.rule.freq) {
      case 'YEARLY':
        return civilDate(dn).year - this.startDate.year;
      case 'MONTHLY': {
        const { year, month } = civilDate(dn);
        return (year - this.startDate.year) * 12 + month - this.startDate.month;
      }
      case 'WEEKLY':
        return Math.floor((dn - this.weekBase) / 7);
      case 'DAILY':
        return dn - this.startDay;
      case 'HOURLY':
        return Math.floor((wall - this.timeBase) / HOUR);
      case 'MINUTELY':
        return Math.floor((wall - this.timeBase) / MINUTE);
    }
  }

  private periodStart(p: number): number {
    const { year, month } = this.startDate;
    switch (this.rule.freq) {
      case 'YEARLY':
        return dayNumber(year + p, 1, 1) * DAY;
      case 'MONTHLY': {
        const index = year * 12 + month - 1 + p;
        return dayNumber(Math.floor(index / 12), (index % 12) + 1, 1) * DAY;
      }
      case 'WEEKLY':
        return (this.weekBase + 7 * p) * DAY;
      case 'DAILY':
        return (this.startDay + p) * DAY;
      case 'HOURLY':
        return this.timeBase + p * HOUR;
      case 'MINUTELY':
        return this.timeBase + p * MINUTE;
    }
  }

  /** The next selected period; sub-daily rules jump over days (and hours) their filters exclude. */
  private nextPeriod(p: number): number {
    const { freq, byHour } = this.rule;
    if (freq === 'HOURLY' || freq === 'MINUTELY') {
      const start = this.periodStart(p);
      if (!this.dayMatches(dayOfWall(start))) return this.alignUp(this.periodOf((dayOfWall(start) + 1) * DAY));
      const hourStart = Math.floor(start / HOUR) * HOUR;
      if (freq === 'MINUTELY' && byHour && !byHour.includes(hourOfDay(start))) {
        return this.alignUp(this.periodOf(hourStart + HOUR));
      }
    }
    return p + this.rule.interval;
  }

  /** Occurrences of period p in ascending wall time. */
  private candidates(p: number): number[] {
    const start = this.periodStart(p);
    const { freq, byHour, byMinute } = this.rule;
    if (freq === 'HOURLY' || freq === 'MINUTELY') {
      if (!this.dayMatches(dayOfWall(start))) return [];
      if (byHour && !byHour.includes(hourOfDay(start))) return [];
      if (freq === 'MINUTELY' && byMinute && !byMinute.includes(Math.floor((start % HOUR) / MINUTE))) return [];
      return this.offsets.map((o) => start + o);
    }
    return this.days(start).flatMap((dn) => this.offsets.map((o) => dn * DAY + o));
  }

  /** Days of the period starting at wall time `start` (DAILY and longer), ascending. */
  private days(start: number): number[] {
    const { freq, byMonth, byMonthDay, byDay } = this.rule;
    const first = dayOfWall(start);
    switch (freq) {
      case 'YEARLY': {
        const { year } = civilDate(first);
        if (byDay && !byMonth && !byMonthDay)
          return sortedUnique(this.weekdayDays(first, dayNumber(year, 12, 31), byDay));
        if (!byMonth && !byMonthDay && !byDay) return this.monthDays(year, this.startDate.month);
        return (byMonth ?? ALL_MONTHS).flatMap((month) => this.monthDays(year, month));
      }
      case 'MONTHLY': {
        const { year, month } = civilDate(first);
        return byMonth && !byMonth.includes(month) ? [] : this.monthDays(year, month);
      }
      case 'WEEKLY': {
        const weekdays = byDay ? byDay.map((b) => b.weekday) : [weekdayOf(this.startDay)];
        const days = weekdays.map((wd) => first + ((wd - this.rule.wkst + 7) % 7));
        return sortedUnique(days).filter((dn) => this.dayMatches(dn));
      }
      default:
        return this.dayMatches(first) ? [first] : [];
    }
  }

  /** Days of one month selected by BYMONTHDAY and/or BYDAY (both: the days in both); else the start's day. */
  private monthDays(year: number, month: number): number[] {
    const { byMonthDay, byDay } = this.rule;
    const first = dayNumber(year, month, 1);
    const last = first + daysInMonth(year, month) - 1;
    if (!byMonthDay && !byDay) return this.startDate.day <= last - first + 1 ? [first + this.startDate.day - 1] : [];
    let days = byMonthDay?.map((d) => (d > 0 ? first + d - 1 : last + 1 + d)).filter((dn) => dn >= first && dn <= last);
    if (byDay) {
      const matching = this.weekdayDays(first, last, byDay);
      days = days ? days.filter((dn) => matching.includes(dn)) : matching;
    }
    return sortedUnique(days ?? []);
  }

  /** Days in [first, last] that a BYDAY list selects, positions counted within that range. */
  private weekdayDays(first: number, last: number, byDay: ByDay[]): number[] {
    return byDay.flatMap(({ weekday, nth }) => {
      if (nth !== 0) {
        const dn = nthWeekday(first, last, weekday, nth);
        return dn === null ? [] : [dn];
      }
      const days: number[] = [];
      for (let dn = first + ((weekday - weekdayOf(first) + 7) % 7); dn <= last; dn += 7) days.push(dn);
      return days;
    });
  }

  /** BYMONTH, BYMONTHDAY and position-less BYDAY as filters of one day. */
  private dayMatches(dn: number): boolean {
    const { byMonth, byMonthDay, byDay } = this.rule;
    if (!byMonth && !byMonthDay && !byDay) return true;
    const { year, month, day } = civilDate(dn);
    if (byMonth && !byMonth.includes(month)) return false;
    const length = daysInMonth(year, month);
    if (byMonthDay && !byMonthDay.some((d) => (d > 0 ? d : length + 1 + d) === day)) return false;
    return !byDay || byDay.some((b) => b.weekday === weekdayOf(dn));
  }
}
