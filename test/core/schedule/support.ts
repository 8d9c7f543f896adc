import { compileSchedule } from '../../../src/core/schedule/index.ts';

/** Up to `count` successive results of `next`, starting strictly after `after`, as UTC ISO strings. */
export function collect(next: (after: number) => number | null, after: string, count: number): string[] {
  const out: string[] = [];
  for (let t = next(Date.parse(after)); t !== null && out.length < count; t = next(t))
    out.push(new Date(t).toISOString());
  return out;
}

/** The next `count` firings of a schedule strictly after `after`. */
export function firings(spec: unknown, after: string, count: number): string[] {
  const schedule = compileSchedule(spec as never);
  return collect((t) => schedule.next(t), after, count);
}

/** "2026-03-29T01:00Z" → "2026-03-29T01:00:00.000Z", so tables stay short. */
export function utc(...short: string[]): string[] {
  return short.map((s) => new Date(s).toISOString());
}
