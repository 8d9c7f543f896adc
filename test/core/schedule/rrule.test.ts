import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileSchedule } from '../../../src/core/schedule/index.ts';
import { firings, utc } from './support.ts';

const PARIS = 'Europe/Paris';
const rrule = (rule: string, start?: string, tz = PARIS) => ({ kind: 'rrule', rule, tz, ...(start ? { start } : {}) });

describe('rrule', () => {
  test('BYDAY=2TU: second Tuesday of every month, CET then CEST', () => {
    const got = firings(rrule('FREQ=MONTHLY;BYDAY=2TU;BYHOUR=9;BYMINUTE=0'), '2026-01-01T00:00Z', 4);
    assert.deepEqual(got, utc('2026-01-13T08:00Z', '2026-02-10T08:00Z', '2026-03-10T08:00Z', '2026-04-14T07:00Z'));
  });
  test('BYDAY=-1FR: last Friday', () => {
    const got = firings(rrule('FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=9;BYMINUTE=0'), '2026-01-01T00:00Z', 4);
    assert.deepEqual(got, utc('2026-01-30T08:00Z', '2026-02-27T08:00Z', '2026-03-27T08:00Z', '2026-04-24T07:00Z'));
  });
  test('COUNT counts from start, and the series ends', () => {
    const spec = rrule('FREQ=DAILY;COUNT=3', '2026-06-01T07:15:00');
    assert.deepEqual(
      firings(spec, '2020-01-01T00:00Z', 5),
      utc('2026-06-01T05:15Z', '2026-06-02T05:15Z', '2026-06-03T05:15Z'),
    );
    assert.deepEqual(firings(spec, '2026-06-02T05:15Z', 5), utc('2026-06-03T05:15Z'));
  });
  test('UNTIL as a UTC instant is inclusive', () => {
    const spec = rrule('FREQ=DAILY;BYHOUR=10;BYMINUTE=0;UNTIL=20260103T090000Z');
    assert.deepEqual(
      firings(spec, '2026-01-01T00:00Z', 5),
      utc('2026-01-01T09:00Z', '2026-01-02T09:00Z', '2026-01-03T09:00Z'),
    );
  });
  test('UNTIL as a date includes that whole day', () => {
    const spec = rrule('FREQ=DAILY;BYHOUR=23;BYMINUTE=0;UNTIL=20260102');
    assert.deepEqual(firings(spec, '2026-01-01T00:00Z', 5), utc('2026-01-01T22:00Z', '2026-01-02T22:00Z'));
  });
  test('INTERVAL=2 weekly counts weeks from start (the Contract example)', () => {
    // 2026-01-05 is a Monday: weeks of Jan 5, Jan 19, Feb 2 …
    const spec = rrule('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;BYHOUR=8;BYMINUTE=0', '2026-01-05T00:00:00');
    const got = firings(spec, '2026-01-10T00:00Z', 4);
    assert.deepEqual(got, utc('2026-01-19T07:00Z', '2026-01-23T07:00Z', '2026-02-02T07:00Z', '2026-02-06T07:00Z'));
  });
  test('INTERVAL=2 monthly on the start day', () => {
    const got = firings(rrule('FREQ=MONTHLY;INTERVAL=2', '2026-01-15T12:00:00+01:00'), '2026-01-15T11:00Z', 3);
    assert.deepEqual(got, utc('2026-03-15T11:00Z', '2026-05-15T10:00Z', '2026-07-15T10:00Z'));
  });
  test('MONTHLY from the 31st skips shorter months (RFC 5545), unlike the monthly kind', () => {
    const got = firings(rrule('FREQ=MONTHLY', '2026-01-31T10:00:00', 'UTC'), '2026-01-31T10:00Z', 3);
    assert.deepEqual(got, utc('2026-03-31T10:00Z', '2026-05-31T10:00Z', '2026-07-31T10:00Z'));
  });
  test('BYMONTHDAY=-1 with BYMONTH: last day of February and August', () => {
    const got = firings(
      rrule('FREQ=YEARLY;BYMONTH=2,8;BYMONTHDAY=-1;BYHOUR=6;BYMINUTE=0', undefined, 'UTC'),
      '2027-01-01T00:00Z',
      3,
    );
    assert.deepEqual(got, utc('2027-02-28T06:00Z', '2027-08-31T06:00Z', '2028-02-29T06:00Z'));
  });
  test('YEARLY without BY parts: the start date every year (29 Feb only in leap years)', () => {
    const got = firings(rrule('FREQ=YEARLY', '2024-02-29T08:00:00', 'UTC'), '2024-03-01T00:00Z', 2);
    assert.deepEqual(got, utc('2028-02-29T08:00Z', '2032-02-29T08:00Z'));
  });
  test('HOURLY with INTERVAL=3 and BYDAY filter', () => {
    // 2026-12-05 is a Saturday: Saturday hours are skipped, the 3-hour grid continues on Monday.
    const spec = rrule('FREQ=HOURLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR', '2026-12-04T00:00:00', 'UTC');
    const got = firings(spec, '2026-12-04T19:00Z', 3);
    assert.deepEqual(got, utc('2026-12-04T21:00Z', '2026-12-07T00:00Z', '2026-12-07T03:00Z'));
  });
  test('MINUTELY with INTERVAL=20 inside BYHOUR', () => {
    const spec = rrule('FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10', '2026-01-01T00:00:00', 'UTC');
    const got = firings(spec, '2026-01-01T10:30Z', 4);
    assert.deepEqual(got, utc('2026-01-01T10:40Z', '2026-01-02T09:00Z', '2026-01-02T09:20Z', '2026-01-02T09:40Z'));
  });
  test('a rule that can never match has no firing', () => {
    assert.deepEqual(
      firings(rrule('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', undefined, 'UTC'), '2026-01-01T00:00Z', 1),
      [],
    );
  });
  test('an "RRULE:" prefix is accepted', () => {
    assert.deepEqual(
      firings(rrule('RRULE:FREQ=DAILY;BYHOUR=1;BYMINUTE=0', undefined, 'UTC'), '2026-01-01T00:00Z', 1),
      utc('2026-01-01T01:00Z'),
    );
  });

  test('a sub-daily INTERVAL that never meets its BYHOUR/BYMINUTE never fires, decided without walking', () => {
    const never = [
      rrule('FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1', '2026-01-01T00:00:00', 'UTC'),
      rrule('FREQ=MINUTELY;INTERVAL=1440;BYHOUR=3', '2026-01-01T00:00:00', 'UTC'),
      rrule('FREQ=HOURLY;INTERVAL=2;BYHOUR=1', '2026-01-01T00:00:00', 'UTC'),
    ];
    for (const spec of never) {
      const started = performance.now();
      assert.deepEqual(firings(spec, '2026-01-01T00:00Z', 1), [], spec.rule);
      assert.equal(compileSchedule(spec as never).firesEver?.(), false, spec.rule);
      assert.ok(performance.now() - started < 100, `${spec.rule}: ${Math.round(performance.now() - started)} ms`);
    }
    // The same steps from an odd minute, or with an INTERVAL prime to a day, do meet them.
    assert.deepEqual(
      firings(rrule('FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1', '2026-01-01T00:01:00', 'UTC'), '2026-01-01T00:00Z', 2),
      utc('2026-01-01T00:01Z', '2026-01-01T01:01Z'),
    );
    assert.deepEqual(
      firings(
        rrule('FREQ=MINUTELY;INTERVAL=1441;BYHOUR=3;BYMINUTE=0', '2026-01-01T00:00:00', 'UTC'),
        '2026-01-01T00:00Z',
        1,
      ),
      utc('2026-06-30T03:00Z'), // the 180th step: 180 days and 180 minutes in
    );
  });
});
