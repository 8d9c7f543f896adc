import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Cron } from 'croner';
import { compileSchedule, defaultTimeZone, parseSchedule } from '../../../src/core/schedule/index.ts';
import { firings, utc } from './support.ts';

const PARIS = 'Europe/Paris';

describe('manual and immediate', () => {
  test('never have a next firing (the engine fires immediate at creation)', () => {
    for (const kind of ['manual', 'immediate']) {
      const schedule = compileSchedule({ kind } as never, PARIS);
      assert.equal(schedule.next(0), null);
      assert.equal(schedule.next(Date.parse('2026-01-01T00:00Z')), null);
      assert.equal(schedule.tz, PARIS);
    }
  });
});

describe('once', () => {
  test('fires at `at` while it is in the future, then never', () => {
    const schedule = compileSchedule({ kind: 'once', at: '2026-12-01T02:00:00+01:00' });
    const at = Date.parse('2026-12-01T01:00:00Z');
    assert.equal(schedule.next(at - 1), at);
    assert.equal(schedule.next(at), null);
  });
  test('an `at` in the past has no firing', () => {
    assert.deepEqual(firings({ kind: 'once', at: '2020-01-01T00:00:00Z' }, '2026-01-01T00:00Z', 3), []);
  });
  test('a local `at` is read in tz', () => {
    assert.deepEqual(
      firings({ kind: 'once', at: '2026-12-01T02:00', tz: 'America/New_York' }, '2026-01-01T00:00Z', 3),
      utc('2026-12-01T07:00Z'),
    );
  });
});

describe('interval', () => {
  test('counts elapsed time across a DST change (exact spacing, wall clock jumps)', () => {
    const got = firings(
      { kind: 'interval', every: '1h', start: '2026-03-28T22:00:00Z', tz: PARIS },
      '2026-03-28T22:30Z',
      4,
    );
    assert.deepEqual(got, utc('2026-03-28T23:00Z', '2026-03-29T00:00Z', '2026-03-29T01:00Z', '2026-03-29T02:00Z'));
    const autumn = firings(
      { kind: 'interval', every: '90m', start: '2026-10-24T23:00:00Z', tz: PARIS },
      '2026-10-24T23:00Z',
      3,
    );
    assert.deepEqual(autumn, utc('2026-10-25T00:30Z', '2026-10-25T02:00Z', '2026-10-25T03:30Z'));
  });
  test('the first firing is `start` itself when asked from before it', () => {
    assert.deepEqual(
      firings({ kind: 'interval', every: '6h', start: '2026-12-01T00:00:00Z' }, '2026-01-01T00:00Z', 2),
      utc('2026-12-01T00:00Z', '2026-12-01T06:00Z'),
    );
  });
  test('without start, firings are multiples of `every` since 1970-01-01T00:00Z (stable across restarts)', () => {
    const schedule = compileSchedule({ kind: 'interval', every: 420 });
    for (const after of [Date.parse('2026-05-05T10:11:12.345Z'), Date.parse('2031-01-01T00:00Z')]) {
      const next = schedule.next(after) as number;
      assert.equal(next % 420_000, 0);
      assert.ok(next > after && next - after <= 420_000);
    }
  });
  test('`every` accepts seconds and "30s" "15m" "6h" "2d" and is kept as given', () => {
    assert.deepEqual(firings({ kind: 'interval', every: '2d' }, '1970-01-01T00:00Z', 1), utc('1970-01-03T00:00Z'));
    assert.equal(
      (parseSchedule({ kind: 'interval', every: '15m' }, 'schedule', 'UTC') as { every: unknown }).every,
      '15m',
    );
  });
});

describe('monthly', () => {
  test('day 31 is clamped to the last day of February and April', () => {
    const got = firings({ kind: 'monthly', day: 31, at: '23:30', tz: PARIS }, '2026-01-01T00:00Z', 5);
    assert.deepEqual(
      got,
      utc('2026-01-31T22:30Z', '2026-02-28T22:30Z', '2026-03-31T21:30Z', '2026-04-30T21:30Z', '2026-05-31T21:30Z'),
    );
  });
  test('day 29 and 31 land on 29 Feb 2028 (leap year), 28 Feb 2027', () => {
    assert.deepEqual(
      firings({ kind: 'monthly', day: 29, at: '10:00', tz: 'UTC' }, '2027-02-01T00:00Z', 1),
      utc('2027-02-28T10:00Z'),
    );
    assert.deepEqual(
      firings({ kind: 'monthly', day: 31, at: '10:00', tz: 'UTC' }, '2028-02-01T00:00Z', 2),
      utc('2028-02-29T10:00Z', '2028-03-31T10:00Z'),
    );
  });
  test('5th Friday: months without one are skipped', () => {
    const got = firings({ kind: 'monthly', nth: 5, weekday: 'fri', at: '09:00', tz: PARIS }, '2026-01-01T00:00Z', 5);
    assert.deepEqual(
      got,
      utc('2026-01-30T08:00Z', '2026-05-29T07:00Z', '2026-07-31T07:00Z', '2026-10-30T08:00Z', '2027-01-29T08:00Z'),
    );
  });
  test('last Sunday (nth -1)', () => {
    const got = firings({ kind: 'monthly', nth: -1, weekday: 'sun', at: '12:00', tz: 'UTC' }, '2026-03-01T00:00Z', 3);
    assert.deepEqual(got, utc('2026-03-29T12:00Z', '2026-04-26T12:00Z', '2026-05-31T12:00Z'));
  });
  test('second Tuesday (the Contract example)', () => {
    assert.deepEqual(
      firings({ kind: 'monthly', nth: 2, weekday: 'tue', at: '09:00', tz: PARIS }, '2026-12-01T00:00Z', 1),
      utc('2026-12-08T08:00Z'),
    );
  });
});

describe('weekly', () => {
  test('several days, in order, from the middle of a week', () => {
    // 2026-12-09 is a Wednesday.
    const got = firings(
      { kind: 'weekly', days: ['fri', 'mon', 'wed'], at: '09:00', tz: 'UTC' },
      '2026-12-09T09:00Z',
      4,
    );
    assert.deepEqual(got, utc('2026-12-11T09:00Z', '2026-12-14T09:00Z', '2026-12-16T09:00Z', '2026-12-18T09:00Z'));
  });
});

describe('cron', () => {
  test('5 fields, weekdays only', () => {
    // 2026-12-04 is a Friday.
    const got = firings({ kind: 'cron', expr: '0 2 * * 1-5', tz: PARIS }, '2026-12-04T00:00Z', 3);
    assert.deepEqual(got, utc('2026-12-04T01:00Z', '2026-12-07T01:00Z', '2026-12-08T01:00Z'));
  });
  test('6 fields with seconds first', () => {
    assert.deepEqual(
      firings({ kind: 'cron', expr: '15 30 2 * * *', tz: 'UTC' }, '2026-01-01T00:00Z', 2),
      utc('2026-01-01T02:30:15Z', '2026-01-02T02:30:15Z'),
    );
  });
  test("croner's own DST handling is replaced by ours (croner alone fires the repeated 02:30 twice)", () => {
    const croner = new Cron('30 * * * *', { timezone: PARIS, paused: true }).nextRuns(4, new Date('2026-10-25T00:00Z'));
    assert.ok(croner.some((d) => d.toISOString() === '2026-10-25T01:30:00.000Z'));
    const ours = firings({ kind: 'cron', expr: '30 * * * *', tz: PARIS }, '2026-10-25T00:00Z', 3);
    assert.deepEqual(ours, utc('2026-10-25T00:30Z', '2026-10-25T02:30Z', '2026-10-25T03:30Z'));
  });
  test('ms in `after` do not make a firing repeat or vanish', () => {
    const schedule = compileSchedule({ kind: 'cron', expr: '* * * * * *', tz: 'UTC' });
    const t = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(schedule.next(t - 1), t);
    assert.equal(schedule.next(t), t + 1000);
    assert.equal(schedule.next(t + 500), t + 1000);
  });
});

describe('describe()', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [
      { kind: 'monthly', nth: 2, weekday: 'tue', at: '09:00', tz: PARIS },
      'At 09:00 on the second Tuesday of every month, Europe/Paris',
    ],
    [
      { kind: 'monthly', nth: -1, weekday: 'sun', at: '09:00', tz: PARIS },
      'At 09:00 on the last Sunday of every month, Europe/Paris',
    ],
    [
      { kind: 'monthly', day: 31, at: '23:30', tz: PARIS },
      'At 23:30 on day 31 of every month (last day in shorter months), Europe/Paris',
    ],
    [{ kind: 'monthly', day: 5, at: '23:30', tz: PARIS }, 'At 23:30 on day 5 of every month, Europe/Paris'],
    [{ kind: 'interval', every: '90m' }, 'Every 90 minutes'],
    [{ kind: 'interval', every: 3600 }, 'Every hour'],
    [{ kind: 'weekly', days: ['tue'], at: '02:00', tz: PARIS }, 'At 02:00 on Tuesday, Europe/Paris'],
    [
      { kind: 'weekly', days: ['mon', 'wed'], at: '09:00', tz: PARIS },
      'At 09:00 on Monday and Wednesday, Europe/Paris',
    ],
    [{ kind: 'cron', expr: '0 2 * * 1-5', tz: PARIS }, 'At 02:00 on Monday to Friday, Europe/Paris'],
    [{ kind: 'cron', expr: '*/15 * * * *', tz: PARIS }, 'Every 15 minutes, Europe/Paris'],
    [{ kind: 'cron', expr: '30 2 * * *', tz: PARIS }, 'At 02:30 every day, Europe/Paris'],
    [{ kind: 'cron', expr: '0 2 1-7 * 1', tz: PARIS }, "Cron '0 2 1-7 * 1', Europe/Paris"],
    [{ kind: 'once', at: '2026-12-01T02:00:00+01:00', tz: PARIS }, 'Once at 2026-12-01 02:00, Europe/Paris'],
    [
      { kind: 'rrule', rule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;BYHOUR=8;BYMINUTE=0', tz: PARIS },
      'Every 2 weeks on Monday and Friday at 08:00, Europe/Paris',
    ],
    [{ kind: 'manual' }, 'Manually only (runs on demand)'],
  ];
  for (const [spec, text] of cases) {
    test(text, () => assert.equal(compileSchedule(spec as never).describe(), text));
  }
});

describe('parseSchedule normalisation', () => {
  test('fills tz from defaultTz, keeps the fields as given', () => {
    assert.deepEqual(parseSchedule({ kind: 'interval', every: '90m' }, 'schedule', 'Asia/Kolkata'), {
      kind: 'interval',
      every: '90m',
      tz: 'Asia/Kolkata',
    });
    assert.deepEqual(parseSchedule({ kind: 'manual' }, 'schedule', PARIS), { kind: 'manual', tz: PARIS });
  });
  test("without tz or defaultTz, the server's zone", () => {
    assert.equal((parseSchedule({ kind: 'manual' }) as { tz: string }).tz, defaultTimeZone());
  });
  test('an explicit tz wins over defaultTz', () => {
    assert.equal(
      compileSchedule({ kind: 'weekly', days: ['mon'], at: '09:00', tz: 'Asia/Kolkata' }, PARIS).tz,
      'Asia/Kolkata',
    );
  });
});
