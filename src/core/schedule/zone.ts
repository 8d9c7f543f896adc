import { ValidationError } from '../errors.ts';
import { DAY, formatOffset, formatWall, HOUR, SECOND } from './wallclock.ts';

/**
 * Longest backward or forward DST shift we look around for. The largest in tzdb today is
 * 2 h (Antarctica/Troll); three leaves room without reaching a second transition.
 */
const MAX_SHIFT = 3 * HOUR;
/** The offset cache is per UTC day; a long preview or bench fills it, so it is bounded. */
const MAX_CACHED_DAYS = 50_000;

/** A UTC day whose offset changes once: before `at` the offset is `before`. */
interface Transition {
  at: number;
  before: number;
  after: number;
}

/**
 * An IANA zone with the wall-clock rules of DESIGN.md "Schedules, timeslots, windows":
 * `instantOf` maps a wall time to the instant it fires at (a wall time in a spring gap →
 * the end of the gap; a wall time that occurs twice → its first occurrence). That mapping
 * never goes backwards, which is what lets every wall-clock kind search in wall time.
 * Offsets come from Intl (the only source of tz rules without a dependency) and are cached
 * per UTC day, because formatToParts costs microseconds and schedules ask for it in loops.
 */
export class Zone {
  readonly name: string;
  private readonly format: Intl.DateTimeFormat;
  private readonly days = new Map<number, number | Transition>();

  constructor(name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    // Intl fixes the case ("europe/paris") but also swaps in old ICU names
    // (Asia/Kolkata → Asia/Calcutta); only the case fix is kept.
    const resolved = this.format.resolvedOptions().timeZone;
    this.name = resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  }

  /** UTC offset (ms, east positive) in force at instant t. */
  offset(t: number): number {
    const day = Math.floor(t / DAY);
    let entry = this.days.get(day);
    if (entry === undefined) {
      entry = this.offsetsOfDay(day);
      if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
      this.days.set(day, entry);
    }
    if (typeof entry === 'number') return entry;
    return t < entry.at ? entry.before : entry.after;
  }

  /** What a clock in this zone reads at instant t, as a wall time. */
  wall(t: number): number {
    return t + this.offset(t);
  }

  /** The instant a wall time fires at: its first occurrence, or the end of the gap it falls in. */
  instantOf(wall: number): number {
    const guess = wall - this.offset(wall);
    const earlier = this.offset(guess - MAX_SHIFT);
    const later = this.offset(guess + MAX_SHIFT);
    const first = wall - earlier;
    if (this.offset(first) === earlier) return first;
    const second = wall - later;
    if (this.offset(second) === later) return second;
    // Neither offset gives this reading: it is in a spring gap, which ends at the transition.
    return firstChange(second, first, (t) => this.offset(t));
  }

  /**
   * The latest wall time the clock has shown up to instant t. It is wall(t) except in the
   * second pass of an autumn overlap, where the clock already showed later times; wall
   * times up to this one have all fired by t under the first-occurrence rule.
   */
  maxWallUpTo(t: number): number {
    const now = this.offset(t);
    const before = this.offset(t - MAX_SHIFT);
    if (before <= now) return t + now;
    const at = firstChange(t - MAX_SHIFT, t, (u) => this.offset(u));
    return Math.max(t + now, at - 1 + before);
  }

  /** The first instant after t at which the clock reads `wall` (which is later than wall(t)). */
  reach(t: number, wall: number): number {
    // In the second pass of an overlap the clock meets times it already showed once more.
    if (wall <= this.maxWallUpTo(t)) return t + (wall - this.wall(t));
    return this.instantOf(wall);
  }

  /** The instant the offset changes in (lo, hi] (at most one change in between), or null. */
  transitionIn(lo: number, hi: number): number | null {
    return this.offset(lo) === this.offset(hi) ? null : firstChange(lo, hi, (t) => this.offset(t));
  }

  /** "2026-03-29 03:00:00 +02:00": local time with its offset, for tables and messages. */
  formatLocal(t: number): string {
    const offset = this.offset(t);
    return `${formatWall(t + offset, true)} ${formatOffset(offset)}`;
  }

  private offsetsOfDay(day: number): number | Transition {
    const start = day * DAY;
    const end = start + DAY - 1;
    const before = this.rawOffset(start);
    const after = this.rawOffset(end);
    if (before === after) return before;
    return { at: firstChange(start, end, (t) => this.rawOffset(t)), before, after };
  }

  private rawOffset(t: number): number {
    const f: Record<string, number> = {};
    for (const part of this.format.formatToParts(t)) {
      if (part.type !== 'literal') f[part.type] = Number(part.value);
    }
    const wall = Date.UTC(f.year as number, (f.month as number) - 1, f.day, f.hour, f.minute, f.second);
    return wall - (t - (((t % SECOND) + SECOND) % SECOND));
  }
}

/** First instant in (lo, hi] whose offset differs from the one at lo (one change in between). */
function firstChange(lo: number, hi: number, offsetAt: (t: number) => number): number {
  const before = offsetAt(lo);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

const zones = new Map<string, Zone>();

/** The cached Zone of an IANA name; an unknown name is a ValidationError on `field`. */
export function zoneOf(name: unknown, field: string): Zone {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ValidationError(field, 'must be an IANA time zone name such as "Europe/Paris"');
  }
  let zone = zones.get(name);
  if (!zone) {
    try {
      zone = new Zone(name);
    } catch {
      throw new ValidationError(field, `"${name}" is not a known IANA time zone`);
    }
    zones.set(name, zone);
  }
  return zone;
}

/** The server's zone (what schedules without a `tz` use). */
export function defaultTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
