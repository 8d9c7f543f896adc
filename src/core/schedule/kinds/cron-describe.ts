import { capitalise, describeWeekdays, every, joinList } from '../describe.ts';
import { formatTimeOfDay, HOUR, MINUTE } from '../wallclock.ts';

/**
 * Plain English for the common cron shapes (fixed times, every N minutes/hours, weekday
 * lists and ranges, one day of the month); anything else is quoted as it is.
 */

const CRON_DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function numberIn(token: string, max: number): number | null {
  return /^\d+$/.test(token) && Number(token) <= max ? Number(token) : null;
}

function numbersIn(field: string, max: number): number[] | null {
  const values = field.split(',').map((t) => numberIn(t, max));
  return values.every((v) => v !== null) ? (values as number[]) : null;
}

/** A cron day-of-week token as its cron number: 0–7 or SUN–SAT (0 and 7 = Sunday). */
function cronDayNumber(token: string): number | null {
  const named = CRON_DAY_NAMES.indexOf(token.toUpperCase());
  return named >= 0 ? named : numberIn(token, 7);
}

/** Lists and ranges of cron weekdays as 0 = Monday … 6 = Sunday; null for anything fancier. */
function weekdaysIn(field: string): number[] | null {
  const days: number[] = [];
  for (const token of field.split(',')) {
    const bounds = token.split('-').map(cronDayNumber);
    const from = bounds[0] ?? null;
    const to = bounds.length === 2 ? (bounds[1] ?? null) : from;
    if (bounds.length > 2 || from === null || to === null || to < from) return null;
    for (let n = from; n <= to; n++) days.push((n + 6) % 7);
  }
  return days;
}

function describeTime(minute: string, hour: string): { text: string; daily: boolean } | null {
  const m = numberIn(minute, 59);
  const hours = numbersIn(hour, 23);
  if (m !== null && hours)
    return { text: `at ${joinList(hours.map((h) => formatTimeOfDay(h * HOUR + m * MINUTE)))}`, daily: true };
  if (m !== null && hour === '*') return { text: `at minute ${m} of every hour`, daily: false };
  if (minute === '*' && hour === '*') return { text: 'every minute', daily: false };
  const minuteStep = /^\*\/(\d+)$/.exec(minute);
  if (minuteStep && hour === '*') return { text: every(Number(minuteStep[1]), 'minute'), daily: false };
  const hourStep = /^\*\/(\d+)$/.exec(hour);
  if (m === 0 && hourStep) return { text: `${every(Number(hourStep[1]), 'hour')}, on the hour`, daily: false };
  return null;
}

function describeDays(dom: string, dow: string, daily: boolean): string | null {
  if (dom === '*' && dow === '*') return daily ? 'every day' : '';
  if (dom === '*') {
    const days = weekdaysIn(dow);
    return days ? describeWeekdays(days) : null;
  }
  if (dow === '*' && numberIn(dom, 31)) return `on day ${dom} of every month`;
  return null;
}

export function describeCron(expr: string, tz: string): string {
  const fallback = `Cron '${expr}', ${tz}`;
  const fields = expr.split(' ');
  if (fields.length === 6 && fields.shift() !== '0') return fallback;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  if (fields.length !== 5 || month !== '*') return fallback;
  const time = describeTime(minute, hour);
  const days = time && describeDays(dom, dow, time.daily);
  if (!time || days === null) return fallback;
  return `${capitalise([time.text, days].filter(Boolean).join(' '))}, ${tz}`;
}
