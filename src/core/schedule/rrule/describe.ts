import { capitalise, every, joinList, MONTH_NAMES, ordinalWord, WEEKDAY_NAMES } from '../describe.ts';
import { formatWall, HOUR, MINUTE, SECOND } from '../wallclock.ts';
import type { Freq, Rule } from './parse.ts';

const UNIT: Record<Freq, string> = {
  YEARLY: 'year',
  MONTHLY: 'month',
  WEEKLY: 'week',
  DAILY: 'day',
  HOURLY: 'hour',
  MINUTELY: 'minute',
};

function clock(hour: number, minute: number, second: number): string {
  const hms = [hour, minute, ...(second ? [second] : [])];
  return hms.map((n) => String(n).padStart(2, '0')).join(':');
}

function monthDay(d: number): string {
  return d > 0 ? String(d) : `the ${ordinalWord(d)} day`;
}

/** The time part: "at 08:00 and 17:30" (daily and longer), "at minute 15" (hourly). */
function times(rule: Rule, start: number): string {
  const hours = rule.byHour ?? [Math.floor(start / HOUR) % 24];
  const minutes = rule.byMinute ?? [Math.floor(start / MINUTE) % 60];
  const seconds = rule.bySecond ?? [Math.floor(start / SECOND) % 60];
  if (rule.freq === 'MINUTELY') {
    const parts = [
      rule.byHour && `in hours ${joinList(hours.map(String))}`,
      rule.byMinute && `at minutes ${joinList(minutes.map(String))}`,
    ];
    return parts.filter(Boolean).join(' ');
  }
  if (rule.freq === 'HOURLY') {
    const inHours = rule.byHour ? ` in hours ${joinList(hours.map(String))}` : '';
    return `at minute ${joinList(minutes.map(String))}${inHours}`;
  }
  const all = hours.flatMap((h) => minutes.flatMap((m) => seconds.map((s) => clock(h, m, s))));
  return all.length > 6 ? `${all.length} times a day` : `at ${joinList(all)}`;
}

/** "Every 2 weeks on Monday and Friday at 08:00, 10 times, Europe/Paris". */
export function describeRule(rule: Rule, start: number | null, tz: string): string {
  const parts = [every(rule.interval, UNIT[rule.freq])];
  if (rule.byMonth) parts.push(`in ${joinList(rule.byMonth.map((m) => MONTH_NAMES[m - 1] as string))}`);
  if (rule.byMonthDay) parts.push(`on day ${joinList(rule.byMonthDay.map(monthDay))}`);
  if (rule.byDay) {
    const days = rule.byDay.map(({ weekday, nth }) => {
      const name = WEEKDAY_NAMES[weekday] as string;
      return nth === 0 ? name : `the ${ordinalWord(nth)} ${name}`;
    });
    parts.push(`on ${joinList(days)}`);
  }
  parts.push(times(rule, start ?? 0));
  let text = capitalise(parts.filter(Boolean).join(' '));
  if (rule.count !== null) text += `, ${rule.count} time${rule.count === 1 ? '' : 's'}`;
  if (rule.until) text += `, until ${formatWall(rule.until.wall)}${rule.until.offset === null ? '' : ' UTC'}`;
  if (start !== null) text += `, starting ${formatWall(start)}`;
  return `${text}, ${tz}`;
}
