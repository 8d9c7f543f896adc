// Dates and durations as people read them. Absolute times are shown in the browser's
// zone with the UTC instant in the title, so two people in two zones can compare.

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export function formatLocal(iso: string | null | undefined): string {
  if (!iso) return '—';
  return dateTime.format(new Date(iso));
}

/** "Tue 08 Dec 2026, 09:00 GMT+01:00" in `tz`: the wall time and its offset, so DST shifts show. */
export function formatInZone(iso: string, tz: string): string {
  let zone = tz;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
  } catch {
    zone = 'UTC'; // a zone still being typed
  }
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = part('timeZoneName') === 'GMT' ? 'GMT+00:00' : part('timeZoneName');
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')} ${offset}`;
}

/** "2026-12-08 08:00Z" */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

/** 0.4 s, 12 s, 3 min 20 s, 2 h 05 min */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function durationBetween(start: string | null, end: string | null, now = Date.now()): string {
  if (!start) return '—';
  return formatSeconds(((end ? Date.parse(end) : now) - Date.parse(start)) / 1000);
}

/** "in 5 min", "3 h ago" */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff) / 1000;
  const text =
    abs < 60
      ? `${Math.round(abs)} s`
      : abs < 3600
        ? `${Math.round(abs / 60)} min`
        : abs < 86400
          ? `${Math.round(abs / 3600)} h`
          : `${Math.round(abs / 86400)} d`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

const wallTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** "10:05", in the browser's zone. */
export function formatTime(iso: string): string {
  return wallTime.format(new Date(iso));
}

/**
 * Why a jobstate is where it is, as the server words it (`reasonText`, from the one table of
 * reason words in src/core/reason-words.ts), and, while it waits for a time still ahead,
 * "until HH:MM" in the browser's zone — the rule of that file's whyInWords.
 */
export function whyWaiting(
  view: { status: string; reasonText: string | null; dueAt: string | null },
  now = Date.now(),
): string {
  const words = view.reasonText ?? '';
  if (view.status !== 'waiting' || view.dueAt === null || Date.parse(view.dueAt) <= now) return words;
  return `${words || 'waiting'} until ${formatTime(view.dueAt)}`;
}
