import { fieldPath, ValidationError } from '../errors.ts';
import { isAgentLocal } from './agent-local.ts';
import {
  type CalendarBlackouts,
  type CalendarDeferral,
  calendarDeferrals,
  describeCalendars,
  withCalendars,
} from './calendar-windows.ts';
import { expectArray } from './fields.ts';
import { MAX_PREVIEW_COUNT } from './limits.ts';
import { NO_DATE_MATCHES, readSchedule } from './parse.ts';
import type { CompiledSchedule } from './types.ts';
import { compileWindows, parseBlackouts, parseTimeslots, type Windows } from './windows.ts';
import { zoneOf } from './zone.ts';

/** Zones one preview may list its firings in. */
const MAX_PREVIEW_ZONES = 20;

export { MAX_PREVIEW_COUNT };

/**
 * The first firing strictly after `after`, windows applied. Raw firings before activeFrom do
 * not exist (the series starts there, Quartz startTime semantics, so nothing piles up at
 * activeFrom); a raw firing outside the allowed time is deferred to the next opening; none
 * is at or after activeTill. Firings deferred to the same opening become one: asked again
 * with `after` = that opening, the next raw firing is later than it.
 */
export function nextFiring(schedule: CompiledSchedule, windows: Windows, after: number): number | null {
  const seriesStart = windows.activeFrom ?? null;
  const from = seriesStart !== null && after < seriesStart ? seriesStart - 1 : after;
  const raw = schedule.next(from);
  return raw === null ? null : windows.nextOpen(raw);
}

export interface PreviewInput {
  schedule: unknown;
  timeslots?: unknown;
  blackouts?: unknown;
  activeFrom?: string | null;
  activeTill?: string | null;
  /** IANA zones to list the firings in, one list each (a `tz: "agent"` schedule differs per zone). */
  zones?: unknown;
  /** Shared calendars the task lists, read by the caller (their names are the server's to resolve). */
  calendars?: CalendarBlackouts[];
}

export interface Preview {
  firings: number[];
  description: string;
  /** The schedule's pattern matches no date at all (saving it is refused): said, not just an empty list. */
  neverFires: boolean;
  /** The schedule's zone, in which its firings are read (a `tz: "agent"` schedule's fallbackTz). */
  tz: string;
  /** With input zones: the firings for a target in each. */
  zones?: Array<{ tz: string; firings: number[] }>;
  /** The firings a calendar deferred, and which one. */
  deferred: CalendarDeferral[];
}

/**
 * The next `count` firings at or after `from` with every window applied, and a description
 * of the schedule and its windows. Validates all inputs (errors name the field); a schedule
 * that never fires is previewed, and the description says so. With `zones`, the firings
 * are also listed per zone: those of a `tz: "agent"` schedule as they come for an agent in
 * that zone (its windows read there too), the others as they are, the same instants.
 */
export function previewSchedule(input: PreviewInput, from: number, count: number, defaultTz?: string): Preview {
  if (!Number.isInteger(count) || count < 1 || count > MAX_PREVIEW_COUNT) {
    throw new ValidationError('count', `must be an integer from 1 to ${MAX_PREVIEW_COUNT}`);
  }
  if (!Number.isFinite(from)) throw new ValidationError('from', 'must be a time');
  const { spec, compiled: schedule } = readSchedule(input.schedule, 'schedule', defaultTz);
  const neverFires = schedule.firesEver?.() === false;
  const ownIn = (tz: string) =>
    compileWindows({
      tz,
      timeslots: input.timeslots == null ? [] : parseTimeslots(input.timeslots),
      blackouts: input.blackouts == null ? [] : parseBlackouts(input.blackouts),
      activeFrom: input.activeFrom ?? null,
      activeTill: input.activeTill ?? null,
    });
  const windowsIn = (tz: string) => withCalendars(ownIn(tz), input.calendars ?? [], tz);
  const own = ownIn(schedule.tz);
  const windows = windowsIn(schedule.tz);
  const list = (compiled: CompiledSchedule, w: Windows) => (neverFires ? [] : listFirings(compiled, w, from, count));
  const firings = list(schedule, windows);
  const calendars = describeCalendars(input.calendars ?? []);
  const description = [schedule.describe(), own.describe(), calendars].filter(Boolean).join('; ');
  const preview: Preview = {
    firings,
    description: neverFires ? `Never fires (${NO_DATE_MATCHES}): ${description}` : description,
    neverFires,
    tz: schedule.tz,
    deferred: calendarDeferrals((w, after) => nextFiring(schedule, w, after), own, windows, firings, from - 1),
  };
  if (input.zones === undefined) return preview;
  const local = isAgentLocal(spec);
  preview.zones = parseZoneList(input.zones).map((tz) => ({
    tz,
    firings: local ? list(readSchedule({ ...spec, tz, fallbackTz: undefined }).compiled, windowsIn(tz)) : firings,
  }));
  return preview;
}

function listFirings(schedule: CompiledSchedule, windows: Windows, from: number, count: number): number[] {
  const firings: number[] = [];
  for (let at = nextFiring(schedule, windows, from - 1); at !== null; ) {
    firings.push(at);
    if (firings.length === count) break;
    at = nextFiring(schedule, windows, at);
  }
  return firings;
}

/** Zones to preview in, at most MAX_PREVIEW_ZONES, each an IANA name (errors name "zones[i]"). */
function parseZoneList(input: unknown): string[] {
  const list = expectArray(input, 'zones');
  if (list.length > MAX_PREVIEW_ZONES) throw new ValidationError('zones', `at most ${MAX_PREVIEW_ZONES} zones`);
  return list.map((z, i) => zoneOf(z, fieldPath('zones', i)).name);
}
