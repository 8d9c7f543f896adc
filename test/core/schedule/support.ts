import { compileSchedule } from '../../../src/core/schedule/index.ts';

/** The next `count` firings strictly after `after`, as UTC ISO strings. */
export function firings(spec: unknown, after: string, count: number): string[] {
  const schedule = compileSchedule(spec as never);
  const out: string[] = [];
  let t: number | null = Date.parse(after);
  while (out.length < count && (t = schedule.next(t)) !== null) out.push(new Date(t).toISOString());
  return out;
}

/** "2026-03-29T01:00Z" → "2026-03-29T01:00:00.000Z", so tables stay short. */
export function utc(...short: string[]): string[] {
  return short.map((s) => new Date(s).toISOString());
}
