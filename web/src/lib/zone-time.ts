// Wall times in a named zone (the task's, not the browser's) for datetime-local inputs:
// the task's blackouts are edited and shown as the schedule reads them.

/** `tz` if the browser knows it, else UTC (a zone still being typed). */
export function knownZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return tz;
  } catch {
    return 'UTC';
  }
}

/** The wall clock of instant `t` in `tz`, as ms since the epoch read as UTC. */
function wallClock(t: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: knownZone(tz),
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(t));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
}

/** The value of a datetime-local input ("2026-12-24T18:00") for an ISO instant, in `tz`. */
export function toZoneInput(iso: string | null | undefined, tz: string): string {
  const t = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(t)) return '';
  return new Date(wallClock(t, tz)).toISOString().slice(0, 16);
}

/**
 * The ISO instant, with `tz`'s offset at that moment, for a datetime-local value read as
 * a wall time in `tz`; null when empty. Around a DST change the answer is one valid
 * instant: the hour repeated in autumn is its second pass (standard time).
 */
export function fromZoneInput(value: string, tz: string): string | null {
  const wall = Date.parse(`${value.slice(0, 16)}:00Z`);
  if (!value || Number.isNaN(wall)) return null;
  const guess = wall - (wallClock(wall, tz) - wall);
  const offsetMinutes = Math.round((wallClock(guess, tz) - guess) / 60_000);
  const pad = (n: number) => String(Math.floor(n)).padStart(2, '0');
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${value.slice(0, 16)}:00${sign}${pad(abs / 60)}:${pad(abs % 60)}`;
}
