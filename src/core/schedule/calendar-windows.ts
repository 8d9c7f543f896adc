import type { Blackout } from '../model.ts';
import { parseAbsoluteInstant } from './fields.ts';
import { civilDate, DAY, dayOfWall } from './wallclock.ts';
import type { Windows } from './windows.ts';
import { type Zone, zoneOf } from './zone.ts';

/** What a calendar forbids (core/calendar.ts): absolute ranges, and whole days "MM-DD" every year. */
export interface CalendarBlackouts {
  name: string;
  blackouts: Blackout[];
  yearly: string[];
}

/** Why an instant is closed by a calendar: which one, and until when. */
export interface CalendarBlock {
  calendar: string;
  from: number;
  until: number;
}

export interface CalendarWindows extends Windows {
  /** The calendar closing t (the first listed when several do), null when none does. */
  blockedBy(t: number): CalendarBlock | null;
}

/** A task's windows never open again after this many calendar blocks in a row (every day of the year listed). */
const MAX_HOPS = 2000;

class WithCalendars implements CalendarWindows {
  readonly activeFrom: number | null | undefined;
  private readonly ranges: Array<{ calendar: string; from: number; until: number }>;
  private readonly yearly: Map<string, string>;

  constructor(
    private readonly base: Windows,
    calendars: readonly CalendarBlackouts[],
    private readonly zone: Zone,
  ) {
    this.activeFrom = base.activeFrom;
    this.ranges = calendars.flatMap((c) =>
      c.blackouts.map((b) => ({
        calendar: c.name,
        from: parseAbsoluteInstant(b.from, 'blackouts.from'),
        until: parseAbsoluteInstant(b.to, 'blackouts.to'),
      })),
    );
    this.yearly = new Map();
    for (const c of calendars) for (const day of c.yearly) if (!this.yearly.has(day)) this.yearly.set(day, c.name);
  }

  isOpen(t: number): boolean {
    return this.base.isOpen(t) && this.blockedBy(t) === null;
  }

  nextOpen(t: number): number | null {
    let at: number | null = t;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      at = this.base.nextOpen(at);
      if (at === null) return null;
      const block = this.blockedBy(at);
      if (!block) return at;
      at = block.until;
    }
    return null;
  }

  nextClose(t: number): number | null {
    if (!this.isOpen(t)) return t;
    const ends = [this.base.nextClose(t), this.nextBlockStart(t)].filter((x): x is number => x !== null);
    return ends.length === 0 ? null : Math.min(...ends);
  }

  blockedBy(t: number): CalendarBlock | null {
    const range = this.ranges.find((r) => r.from <= t && t < r.until);
    if (range) return { ...range };
    if (this.yearly.size === 0) return null;
    const day = dayOfWall(this.zone.wall(t));
    const calendar = this.yearly.get(monthDay(day));
    if (calendar === undefined) return null;
    return { calendar, from: this.zone.instantOf(day * DAY), until: this.zone.instantOf((day + 1) * DAY) };
  }

  /** The first instant after t a calendar closes. */
  private nextBlockStart(t: number): number | null {
    const starts = this.ranges.filter((r) => r.from > t).map((r) => r.from);
    if (this.yearly.size > 0) {
      const today = dayOfWall(this.zone.wall(t));
      for (let day = today + 1; day <= today + 366; day++) {
        if (this.yearly.has(monthDay(day))) {
          starts.push(this.zone.instantOf(day * DAY));
          break;
        }
      }
    }
    return starts.length === 0 ? null : Math.min(...starts);
  }
}

function monthDay(day: number): string {
  const { month, day: d } = civilDate(day);
  return `${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * A task's windows with its calendars' blackouts applied as well, yearly days read in `tz`
 * (the task's zone): closed when the task's own windows are, or when any calendar is.
 */
export function withCalendars(base: Windows, calendars: readonly CalendarBlackouts[], tz: string): CalendarWindows {
  return new WithCalendars(base, calendars, zoneOf(tz, 'tz'));
}

/** A firing a calendar moved: when it would have fired without calendars, and which one closed that instant until when. */
export interface CalendarDeferral extends CalendarBlock {
  /** The firing as it is, calendars applied. */
  firing: number;
  /** When it would have fired without its calendars. */
  wouldBe: number;
}

/**
 * Which of `firings` (the preview's, each the next after the previous, the first after
 * `after`) a calendar deferred: the firing the task's own windows alone give at that step,
 * when it differs, is closed by a calendar, which one is said.
 */
export function calendarDeferrals(
  next: (windows: Windows, after: number) => number | null,
  base: Windows,
  calendars: CalendarWindows,
  firings: readonly number[],
  after: number,
): CalendarDeferral[] {
  const deferrals: CalendarDeferral[] = [];
  firings.forEach((firing, i) => {
    const wouldBe = next(base, i === 0 ? after : (firings[i - 1] as number));
    const block = wouldBe === null || wouldBe === firing ? null : calendars.blockedBy(wouldBe);
    if (block && wouldBe !== null) deferrals.push({ ...block, firing, wouldBe });
  });
  return deferrals;
}

/** "calendars holidays (2 ranges, every 12-25, 01-01)". */
export function describeCalendars(calendars: readonly CalendarBlackouts[]): string {
  if (calendars.length === 0) return '';
  const each = calendars.map((c) => {
    const parts = [];
    if (c.blackouts.length > 0) parts.push(`${c.blackouts.length} range${c.blackouts.length === 1 ? '' : 's'}`);
    if (c.yearly.length > 0) parts.push(`every ${c.yearly.join(', ')}`);
    return parts.length === 0 ? c.name : `${c.name} (${parts.join('; ')})`;
  });
  return `except calendar${calendars.length === 1 ? '' : 's'} ${each.join(', ')}`;
}
