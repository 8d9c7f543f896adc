import { fieldPath, ValidationError } from '../errors.ts';
import type { Blackout, Timeslot } from '../model.ts';
import { WEEKDAY_ABBREVIATIONS } from './describe.ts';
import {
  expectArray,
  expectInteger,
  expectObject,
  parseAbsoluteInstant,
  parseInstant,
  parseTimeOfDay,
  rejectUnknownKeys,
} from './fields.ts';
import { DAY, dayOfWall, formatTimeOfDay, formatWall, WEEK, weekdayOf } from './wallclock.ts';
import { type Zone, zoneOf } from './zone.ts';

export interface WindowOptions {
  tz: string;
  timeslots?: Timeslot[];
  blackouts?: Blackout[];
  activeFrom?: string | null;
  activeTill?: string | null;
}

/** When a task may fire: inside a timeslot (if any), outside blackouts, within [activeFrom, activeTill). */
export interface Windows {
  isOpen(t: number): boolean;
  /** The first open instant at or after t; null if there is none (past activeTill). */
  nextOpen(t: number): number | null;
  /**
   * The first closed instant at or after t (t itself when closed): the end of its timeslot,
   * the start of the next blackout or activeTill, whichever comes first; null if the
   * windows never close.
   */
  nextClose(t: number): number | null;
  /** Where the series starts (Quartz startTime): nextFiring ignores raw firings before it. */
  readonly activeFrom?: number | null;
}

/** [start, end) pairs, sorted, overlapping and touching ones merged. */
type Ranges = Array<[number, number]>;

function mergeRanges(ranges: Ranges): Ranges {
  const merged: Ranges = [];
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** The range holding x, or undefined. */
function rangeAt(ranges: Ranges, x: number): [number, number] | undefined {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ranges[mid] as [number, number])[1] <= x) lo = mid + 1;
    else hi = mid;
  }
  const range = ranges[lo];
  return range && range[0] <= x ? range : undefined;
}

function slotRanges(input: unknown, field: string): { slots: Timeslot[]; ranges: Ranges } {
  const slots: Timeslot[] = [];
  const ranges: Ranges = [];
  expectArray(input, field).forEach((item, i) => {
    const itemField = fieldPath(field, i);
    const obj = expectObject(item, itemField);
    rejectUnknownKeys(obj, ['day', 'from', 'to'], itemField);
    const day = expectInteger(obj.day, fieldPath(itemField, 'day'), 0, 6);
    const from = parseTimeOfDay(obj.from, fieldPath(itemField, 'from'));
    const to = parseTimeOfDay(obj.to, fieldPath(itemField, 'to'), true);
    if (to <= from) throw new ValidationError(fieldPath(itemField, 'to'), 'must be later than from');
    slots.push({ day, from: obj.from as string, to: obj.to as string });
    ranges.push([day * DAY + from, day * DAY + to]);
  });
  return { slots, ranges: mergeRanges(ranges) };
}

function blackoutRanges(input: unknown, field: string): { blackouts: Blackout[]; ranges: Ranges } {
  const blackouts: Blackout[] = [];
  const ranges: Ranges = [];
  expectArray(input, field).forEach((item, i) => {
    const itemField = fieldPath(field, i);
    const obj = expectObject(item, itemField);
    rejectUnknownKeys(obj, ['from', 'to'], itemField);
    const from = parseAbsoluteInstant(obj.from, fieldPath(itemField, 'from'));
    const to = parseAbsoluteInstant(obj.to, fieldPath(itemField, 'to'));
    if (to <= from) throw new ValidationError(fieldPath(itemField, 'to'), 'must be later than from');
    blackouts.push({ from: obj.from as string, to: obj.to as string });
    ranges.push([from, to]);
  });
  return { blackouts, ranges: mergeRanges(ranges) };
}

/** Weekly allowed windows in the task's zone (seed 001's table): day 0..6 (0 = Monday), "HH:MM", `to` may be "24:00". */
export function parseTimeslots(input: unknown, field = 'timeslots'): Timeslot[] {
  return slotRanges(input, field).slots;
}

/** Absolute forbidden ranges [from, to), ISO-8601 with an offset. */
export function parseBlackouts(input: unknown, field = 'blackouts'): Blackout[] {
  return blackoutRanges(input, field).blackouts;
}

class CompiledWindows implements Windows {
  constructor(
    private readonly zone: Zone,
    /** Merged, in ms since Monday 00:00 wall time. */
    private readonly slots: Ranges,
    private readonly blackouts: Ranges,
    readonly activeFrom: number | null,
    private readonly activeTill: number | null,
  ) {}

  isOpen(t: number): boolean {
    if (this.activeFrom !== null && t < this.activeFrom) return false;
    if (this.activeTill !== null && t >= this.activeTill) return false;
    return !rangeAt(this.blackouts, t) && this.inSlot(t);
  }

  nextOpen(t: number): number | null {
    let at = this.activeFrom !== null ? Math.max(t, this.activeFrom) : t;
    for (;;) {
      if (this.activeTill !== null && at >= this.activeTill) return null;
      const blackout = rangeAt(this.blackouts, at);
      if (blackout) at = blackout[1];
      else if (!this.inSlot(at)) at = this.nextSlotStart(at);
      else return at;
    }
  }

  nextClose(t: number): number | null {
    if (!this.isOpen(t)) return t;
    const ends: number[] = [];
    if (this.activeTill !== null) ends.push(this.activeTill);
    const blackout = this.blackouts.find(([start]) => start > t);
    if (blackout) ends.push(blackout[0]);
    const slotEnd = this.slotEnd(t);
    if (slotEnd !== null) ends.push(slotEnd);
    return ends.length === 0 ? null : Math.min(...ends);
  }

  /** "within Mon 00:00–07:00, Mon 19:00–Tue 04:00; except 2026-12-24 00:00 → 2026-12-27 00:00; active from …". */
  describe(): string {
    const parts: string[] = [];
    if (this.slots.length > 0) parts.push(`within ${this.slots.map(describeSlot).join(', ')}`);
    if (this.blackouts.length > 0) {
      const shown = this.blackouts.slice(0, 3).map(([from, to]) => `${this.local(from)} → ${this.local(to)}`);
      const more = this.blackouts.length > 3 ? ` and ${this.blackouts.length - 3} more` : '';
      parts.push(`except ${shown.join(', ')}${more}`);
    }
    if (this.activeFrom !== null) parts.push(`active from ${this.local(this.activeFrom)}`);
    if (this.activeTill !== null) parts.push(`active until ${this.local(this.activeTill)}`);
    return parts.join('; ');
  }

  private local(t: number): string {
    return formatWall(this.zone.wall(t));
  }

  /** Position of t's wall time in its week, and the wall time the week started at. */
  private weekPosition(t: number): { weekStart: number; position: number } {
    const wall = this.zone.wall(t);
    const dn = dayOfWall(wall);
    const weekStart = (dn - weekdayOf(dn)) * DAY;
    return { weekStart, position: wall - weekStart };
  }

  private inSlot(t: number): boolean {
    return this.slots.length === 0 || rangeAt(this.slots, this.weekPosition(t).position) !== undefined;
  }

  /**
   * When the slot t is in ends, for an open t; null without slots or when they cover the
   * whole week. A slot ending Sunday 24:00 goes on into one starting Monday 00:00.
   */
  private slotEnd(t: number): number | null {
    const first = this.slots[0];
    if (first === undefined || (first[0] === 0 && first[1] === WEEK)) return null;
    const { weekStart, position } = this.weekPosition(t);
    const end = (rangeAt(this.slots, position) as [number, number])[1];
    const wall = end === WEEK && first[0] === 0 ? weekStart + WEEK + first[1] : weekStart + end;
    return this.zone.reach(t, wall);
  }

  /** When the clock next reaches the start of a slot (possibly next week). */
  private nextSlotStart(t: number): number {
    const { weekStart, position } = this.weekPosition(t);
    const next = this.slots.find(([start]) => start > position);
    const wall = next ? weekStart + next[0] : weekStart + WEEK + (this.slots[0] as [number, number])[0];
    const reached = this.zone.reach(t, wall);
    // If the clock goes back before then (autumn), it may re-enter a slot it has passed:
    // look again from the moment it goes back.
    const back = this.zone.transitionIn(t, reached);
    return back !== null && this.zone.offset(reached) < this.zone.offset(t) ? back : reached;
  }
}

function describeSlot([start, end]: [number, number]): string {
  const startDay = Math.floor(start / DAY);
  const endDay = Math.ceil(end / DAY) - 1;
  const startText = `${WEEKDAY_ABBREVIATIONS[startDay]} ${formatTimeOfDay(start - startDay * DAY)}`;
  const endTime = formatTimeOfDay(end - endDay * DAY);
  return endDay === startDay ? `${startText}–${endTime}` : `${startText}–${WEEKDAY_ABBREVIATIONS[endDay]} ${endTime}`;
}

/**
 * Compiles a task's windows. Inputs are validated again here (errors name "timeslots[0].to",
 * "activeFrom", …), since they may come from storage as well as from a parse step.
 * activeFrom/activeTill without an offset are wall times in `tz`.
 */
export function compileWindows(opts: WindowOptions): Windows & { describe(): string } {
  const zone = zoneOf(opts.tz, 'tz');
  const slots = slotRanges(opts.timeslots ?? [], 'timeslots').ranges;
  const blackouts = blackoutRanges(opts.blackouts ?? [], 'blackouts').ranges;
  const activeFrom = opts.activeFrom == null ? null : parseInstant(opts.activeFrom, 'activeFrom', zone);
  const activeTill = opts.activeTill == null ? null : parseInstant(opts.activeTill, 'activeTill', zone);
  if (activeFrom !== null && activeTill !== null && activeTill <= activeFrom) {
    throw new ValidationError('activeTill', 'must be later than activeFrom');
  }
  return new CompiledWindows(zone, slots, blackouts, activeFrom, activeTill);
}
