// Property tests: random schedules of each kind in zones with unusual DST (30-minute shift,
// transitions at midnight, :45 offsets). The oracle reads clocks with its own Intl
// formatter, independent of the Zone class under test.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compileSchedule, compileWindows, nextFiring } from '../../../src/core/schedule/index.ts';

const ZONES = [
  'Europe/Paris',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'America/Santiago',
  'Pacific/Chatham',
  'America/St_Johns',
  'UTC',
];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const RFC_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const FIRINGS = 30;
const NUM_RUNS = 200;

/** A local clock reading; weekday 0 = Monday. */
interface Reading {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function reading(t: number, tz: string): Reading {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, Number(x.value)])) as Record<
    'year' | 'month' | 'day' | 'hour' | 'minute' | 'second',
    number
  >;
  const weekday = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7;
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second, weekday };
}

const asWall = (r: Reading) => Date.UTC(r.year, r.month - 1, r.day, r.hour, r.minute, r.second);
const offsetAt = (t: number, tz: string) => asWall(reading(t, tz)) - Math.floor(t / 1000) * 1000;
function fromWall(w: number): Reading {
  const d = new Date(w);
  const fields = [
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  ];
  const [year, month, day, hour, minute, second] = fields as [number, number, number, number, number, number];
  return { year, month, day, hour, minute, second, weekday: (d.getUTCDay() + 6) % 7 };
}
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
function nthOfMonth(r: Reading): { nth: number; last: boolean } {
  return { nth: Math.ceil(r.day / 7), last: r.day + 7 > daysIn(r.year, r.month) };
}

/**
 * A firing is right when the clock then shows a matching time, or when it is the end of a
 * spring gap that swallowed a matching time; never on the second pass of a repeated time.
 */
function checkFiring(t: number, tz: string, matches: (r: Reading) => boolean): void {
  const shown = reading(t, tz);
  const jump = offsetAt(t, tz) - offsetAt(t - 1000, tz);
  if (!matches(shown)) {
    assert.ok(
      jump > 0,
      `${new Date(t).toISOString()} in ${tz} shows ${JSON.stringify(shown)}: not a match, not a gap end`,
    );
    const skipped: Reading[] = [];
    for (let w = asWall(reading(t - 1000, tz)) + 1000; w < asWall(shown); w += 1000) skipped.push(fromWall(w));
    assert.ok(skipped.some(matches), `${new Date(t).toISOString()} in ${tz}: the gap holds no match`);
  }
  const back = offsetAt(t - 3 * 3600_000, tz) - offsetAt(t, tz);
  if (back > 0) {
    const earlier = t - back;
    assert.notEqual(asWall(reading(earlier, tz)), asWall(shown), `${new Date(t).toISOString()} is a second occurrence`);
  }
}

/** No day between two consecutive firings has the time of day on a matching date. */
function checkNoDaySkipped(
  firings: number[],
  tz: string,
  matches: (r: Reading) => boolean,
  [hour, minute]: [number, number],
): void {
  for (let i = 1; i < firings.length; i++) {
    const first = reading(firings[i - 1] as number, tz);
    const last = reading(firings[i] as number, tz);
    const lastDay = Date.UTC(last.year, last.month - 1, last.day);
    for (let day = Date.UTC(first.year, first.month - 1, first.day) + 86400_000; day < lastDay; day += 86400_000) {
      const r = fromWall(day + (hour * 60 + minute) * 60_000);
      assert.ok(!matches(r), `${JSON.stringify(r)} in ${tz} matches but was skipped`);
    }
  }
}

function successive(next: (after: number) => number | null, from: number): number[] {
  const out: number[] = [];
  for (let t = next(from); t !== null && out.length < FIRINGS; t = next(t)) out.push(t);
  return out;
}

function assertIncreasing(firings: number[]): void {
  for (let i = 1; i < firings.length; i++) assert.ok((firings[i] as number) > (firings[i - 1] as number));
}

const zone = fc.constantFrom(...ZONES);
// Hours around midnight and 01:00–03:00 meet DST transitions most often.
const hour = fc.oneof(fc.constantFrom(0, 1, 2, 3, 23), fc.integer({ min: 0, max: 23 }));
const minute = fc.oneof(fc.constantFrom(0, 15, 30, 45), fc.integer({ min: 0, max: 59 }));
const start = fc.integer({ min: Date.parse('2020-01-01T00:00Z'), max: Date.parse('2035-01-01T00:00Z') });
const days = fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 });
const hhmm = (h: number, m: number) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;

/** A random schedule with the oracle of its wall-clock fields. */
interface Case {
  spec: Record<string, unknown>;
  matches: (r: Reading) => boolean;
  /** For kinds that fire at one time of day: [hour, minute], to check that no day is skipped. */
  time?: [number, number];
}

const atTime = (h: number, m: number) => (r: Reading) => r.hour === h && r.minute === m && r.second === 0;

const cases: Record<string, fc.Arbitrary<Case>> = {
  weekly: fc.record({ days, h: hour, m: minute }).map(({ days: d, h, m }) => ({
    spec: { kind: 'weekly', days: d.map((i) => DAYS[i]), at: hhmm(h, m) },
    time: [h, m],
    matches: (r) => d.includes(r.weekday) && atTime(h, m)(r),
  })),
  'monthly day': fc.record({ day: fc.integer({ min: 1, max: 31 }), h: hour, m: minute }).map(({ day, h, m }) => ({
    spec: { kind: 'monthly', day, at: hhmm(h, m) },
    time: [h, m],
    matches: (r) => r.day === Math.min(day, daysIn(r.year, r.month)) && atTime(h, m)(r),
  })),
  'monthly nth': fc
    .record({ nth: fc.constantFrom(1, 2, 3, 4, 5, -1), wd: fc.integer({ min: 0, max: 6 }), h: hour, m: minute })
    .map(({ nth, wd, h, m }) => ({
      spec: { kind: 'monthly', nth, weekday: DAYS[wd], at: hhmm(h, m) },
      time: [h, m],
      matches: (r) => {
        const pos = nthOfMonth(r);
        return r.weekday === wd && (nth === -1 ? pos.last : pos.nth === nth) && atTime(h, m)(r);
      },
    })),
  'cron weekdays': fc.record({ days, h: hour, m: minute }).map(({ days: d, h, m }) => ({
    spec: { kind: 'cron', expr: `${m} ${h} * * ${d.map((i) => (i + 1) % 7).join(',')}` },
    time: [h, m],
    matches: (r) => d.includes(r.weekday) && atTime(h, m)(r),
  })),
  'cron hourly': minute.map((m) => ({
    spec: { kind: 'cron', expr: `${m} * * * *` },
    matches: (r) => r.minute === m && r.second === 0,
  })),
  'rrule weekly': fc.record({ days, h: hour, m: minute }).map(({ days: d, h, m }) => ({
    spec: { kind: 'rrule', rule: `FREQ=WEEKLY;BYDAY=${d.map((i) => RFC_DAYS[i]).join(',')};BYHOUR=${h};BYMINUTE=${m}` },
    time: [h, m],
    matches: (r) => d.includes(r.weekday) && atTime(h, m)(r),
  })),
  'rrule monthly nth': fc
    .record({ nth: fc.constantFrom(1, 2, 3, 4, -1), wd: fc.integer({ min: 0, max: 6 }), h: hour, m: minute })
    .map(({ nth, wd, h, m }) => ({
      spec: { kind: 'rrule', rule: `FREQ=MONTHLY;BYDAY=${nth}${RFC_DAYS[wd]};BYHOUR=${h};BYMINUTE=${m}` },
      time: [h, m],
      matches: (r) => {
        const pos = nthOfMonth(r);
        return r.weekday === wd && (nth === -1 ? pos.last : pos.nth === nth) && atTime(h, m)(r);
      },
    })),
};

describe('wall-clock kinds: firings increase and match their rule (gap rule apart), first occurrence only', () => {
  for (const [name, arbitrary] of Object.entries(cases)) {
    test(name, () => {
      fc.assert(
        fc.property(arbitrary, zone, start, ({ spec, matches, time }, tz, from) => {
          const schedule = compileSchedule({ ...spec, tz } as never);
          const firings = successive((t) => schedule.next(t), from);
          assert.equal(firings.length, FIRINGS);
          assertIncreasing(firings);
          for (const t of firings) checkFiring(t, tz, matches);
          if (time) checkNoDaySkipped(firings, tz, matches, time);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }
});

describe('interval', () => {
  test('firings are exactly `every` apart whatever the zone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * 86400 }), zone, start, (every, tz, from) => {
        const schedule = compileSchedule({ kind: 'interval', every, tz } as never);
        const firings = successive((t) => schedule.next(t), from);
        for (let i = 1; i < firings.length; i++)
          assert.equal((firings[i] as number) - (firings[i - 1] as number), every * 1000);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('windows', () => {
  const slot = fc
    .record({
      day: fc.integer({ min: 0, max: 6 }),
      from: fc.integer({ min: 0, max: 47 }),
      length: fc.integer({ min: 1, max: 20 }),
    })
    .map(({ day, from, length }) => ({ day, from: from * 30, to: Math.min(48, from + length) * 30 }));

  test('no firing falls outside the timeslots or inside a blackout; firings increase', () => {
    fc.assert(
      fc.property(
        fc.oneof(cases.weekly as fc.Arbitrary<Case>, cases['cron hourly'] as fc.Arbitrary<Case>),
        zone,
        start,
        fc.array(slot, { minLength: 1, maxLength: 4 }),
        fc.array(
          fc.record({ at: fc.integer({ min: 0, max: 60 * 86400 }), length: fc.integer({ min: 60, max: 10 * 86400 }) }),
          {
            maxLength: 3,
          },
        ),
        ({ spec }, tz, from, slots, holes) => {
          const timeslots = slots.map(({ day, from: f, to }) => ({
            day,
            from: hhmm(Math.floor(f / 60), f % 60),
            to: hhmm(Math.floor(to / 60), to % 60),
          }));
          const blackouts = holes.map(({ at, length }) => ({
            from: new Date(from + at * 1000).toISOString(),
            to: new Date(from + (at + length) * 1000).toISOString(),
          }));
          const schedule = compileSchedule({ ...spec, tz } as never);
          const windows = compileWindows({ tz, timeslots, blackouts });
          const firings = successive((t) => nextFiring(schedule, windows, t), from);
          assertIncreasing(firings);
          for (const t of firings) {
            const r = reading(t, tz);
            const minuteOfDay = r.hour * 60 + r.minute + r.second / 60;
            assert.ok(
              slots.some((s) => s.day === r.weekday && minuteOfDay >= s.from && minuteOfDay < s.to),
              `${new Date(t).toISOString()} (${JSON.stringify(r)}) is outside ${JSON.stringify(timeslots)}`,
            );
            assert.ok(!blackouts.some((b) => t >= Date.parse(b.from) && t < Date.parse(b.to)), 'inside a blackout');
            assert.ok(windows.isOpen(t));
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
