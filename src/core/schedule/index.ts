/**
 * Schedules, timeslots, windows (DESIGN.md): pure functions of their inputs and a time.
 * Every wall-clock kind follows one DST rule: a time in a spring gap fires at the first
 * valid instant after the gap, a time that occurs twice fires once, at its first occurrence;
 * `interval` is elapsed time and ignores DST.
 */

export {
  type CalendarBlackouts,
  type CalendarBlock,
  type CalendarWindows,
  withCalendars,
} from './calendar-windows.ts';
export { parseAbsoluteInstant } from './fields.ts';
export { MAX_PREVIEW_COUNT, nextFiring, type Preview, type PreviewInput, previewSchedule } from './firing.ts';
export { compileSchedule, parseSchedule } from './parse.ts';
export type { CompiledSchedule } from './types.ts';
export { compileWindows, parseBlackouts, parseTimeslots, type WindowOptions, type Windows } from './windows.ts';
export { defaultTimeZone } from './zone.ts';

import { zoneOf } from './zone.ts';

/** "2026-03-29 03:00:00 +02:00": t on the clock of `tz`, with its offset so DST shows. */
export function formatLocal(t: number, tz: string): string {
  return zoneOf(tz, 'tz').formatLocal(t);
}
