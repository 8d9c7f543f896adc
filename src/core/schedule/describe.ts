/** English building blocks shared by the describe() of every kind and of windows. */

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export const WEEKDAY_ABBREVIATIONS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const ORDINAL_WORDS: Record<number, string> = {
  1: 'first',
  2: 'second',
  3: 'third',
  4: 'fourth',
  5: 'fifth',
  [-1]: 'last',
};

/** "a", "a and b", "a, b and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "every minute" / "every 15 minutes". */
export function every(n: number, unit: string): string {
  return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** 2 → "2nd", 11 → "11th", 23 → "23rd". */
export function ordinalNumber(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** 1 → "first", -1 → "last", 2 → "second"; beyond the words, "20th" / "2nd-to-last". */
export function ordinalWord(n: number): string {
  return ORDINAL_WORDS[n] ?? (n > 0 ? ordinalNumber(n) : `${ordinalNumber(-n)}-to-last`);
}

/** "on Monday and Wednesday", "on Monday to Friday", "every day" for weekday indexes 0..6. */
export function describeWeekdays(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return 'every day';
  const contiguous = sorted.every((d, i) => i === 0 || d === (sorted[i - 1] as number) + 1);
  if (contiguous && sorted.length >= 3) {
    return `on ${WEEKDAY_NAMES[sorted[0] as number]} to ${WEEKDAY_NAMES[sorted[sorted.length - 1] as number]}`;
  }
  return `on ${joinList(sorted.map((d) => WEEKDAY_NAMES[d] as string))}`;
}
