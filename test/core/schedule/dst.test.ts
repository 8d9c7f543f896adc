// DST tables: every wall-clock kind follows one rule — a time in the spring gap fires at
// the first valid instant after it, a time that occurs twice fires once, at its first
// occurrence. Expected instants are worked out by hand from each zone's transition.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { firings, utc } from './support.ts';

interface Row {
  name: string;
  schedule: Record<string, unknown>;
  after: string;
  expected: string[];
}

function table(tz: string, rows: Row[]): void {
  describe(tz, () => {
    for (const row of rows) {
      test(row.name, () => {
        const got = firings({ ...row.schedule, tz }, row.after, row.expected.length);
        assert.deepEqual(got, row.expected);
      });
    }
  });
}

// Paris: 2026-03-29 02:00 CET → 03:00 CEST at 01:00Z; 2026-10-25 03:00 CEST → 02:00 CET at 01:00Z.
table('Europe/Paris', [
  {
    name: 'daily cron 02:30 across the spring gap: 02:30 → 03:00 CEST',
    schedule: { kind: 'cron', expr: '30 2 * * *' },
    after: '2026-03-27T12:00Z',
    expected: utc('2026-03-28T01:30Z', '2026-03-29T01:00Z', '2026-03-30T00:30Z'),
  },
  {
    name: 'daily cron 02:30 across the autumn overlap: once, at the first (CEST) 02:30',
    schedule: { kind: 'cron', expr: '30 2 * * *' },
    after: '2026-10-23T12:00Z',
    expected: utc('2026-10-24T00:30Z', '2026-10-25T00:30Z', '2026-10-26T01:30Z'),
  },
  {
    name: 'hourly cron :30 on the spring day: 02:30 fires at 03:00, then 03:30',
    schedule: { kind: 'cron', expr: '30 * * * *' },
    after: '2026-03-28T23:00Z',
    expected: utc(
      '2026-03-28T23:30Z',
      '2026-03-29T00:30Z',
      '2026-03-29T01:00Z',
      '2026-03-29T01:30Z',
      '2026-03-29T02:30Z',
    ),
  },
  {
    name: 'hourly cron :30 on the autumn day: the repeated 02:30 fires once (croner alone fires twice)',
    schedule: { kind: 'cron', expr: '30 * * * *' },
    after: '2026-10-24T22:00Z',
    expected: utc(
      '2026-10-24T22:30Z',
      '2026-10-24T23:30Z',
      '2026-10-25T00:30Z',
      '2026-10-25T02:30Z',
      '2026-10-25T03:30Z',
    ),
  },
  {
    name: 'hourly cron :00 on the spring day: 02:00 (gap) and 03:00 are the same instant, fired once',
    schedule: { kind: 'cron', expr: '0 * * * *' },
    after: '2026-03-28T22:30Z',
    expected: utc('2026-03-28T23:00Z', '2026-03-29T00:00Z', '2026-03-29T01:00Z', '2026-03-29T02:00Z'),
  },
  {
    name: 'weekly Sunday 02:30',
    schedule: { kind: 'weekly', days: ['sun'], at: '02:30' },
    after: '2026-03-20T00:00Z',
    expected: utc('2026-03-22T01:30Z', '2026-03-29T01:00Z', '2026-04-05T00:30Z'),
  },
  {
    name: 'weekly Sunday 02:30 in autumn',
    schedule: { kind: 'weekly', days: ['sun'], at: '02:30' },
    after: '2026-10-17T00:00Z',
    expected: utc('2026-10-18T00:30Z', '2026-10-25T00:30Z', '2026-11-01T01:30Z'),
  },
  {
    name: 'monthly last Sunday 02:30 (both EU transition days)',
    schedule: { kind: 'monthly', nth: -1, weekday: 'sun', at: '02:30' },
    after: '2026-02-01T00:00Z',
    expected: utc('2026-02-22T01:30Z', '2026-03-29T01:00Z', '2026-04-26T00:30Z'),
  },
  {
    name: 'monthly last Sunday 02:30 in autumn',
    schedule: { kind: 'monthly', nth: -1, weekday: 'sun', at: '02:30' },
    after: '2026-09-01T00:00Z',
    expected: utc('2026-09-27T00:30Z', '2026-10-25T00:30Z', '2026-11-29T01:30Z'),
  },
  {
    name: 'rrule DAILY 02:30 follows the same rule',
    schedule: { kind: 'rrule', rule: 'FREQ=DAILY;BYHOUR=2;BYMINUTE=30' },
    after: '2026-03-27T12:00Z',
    expected: utc('2026-03-28T01:30Z', '2026-03-29T01:00Z', '2026-03-30T00:30Z'),
  },
  {
    name: 'once at a local time in the gap fires at the end of the gap',
    schedule: { kind: 'once', at: '2026-03-29T02:30:00' },
    after: '2026-01-01T00:00Z',
    expected: utc('2026-03-29T01:00Z'),
  },
  {
    name: 'once at a repeated local time fires at its first occurrence',
    schedule: { kind: 'once', at: '2026-10-25T02:30:00' },
    after: '2026-01-01T00:00Z',
    expected: utc('2026-10-25T00:30Z'),
  },
]);

// New York: 2026-03-08 02:00 EST → 03:00 EDT at 07:00Z; 2026-11-01 02:00 EDT → 01:00 EST at 06:00Z.
table('America/New_York', [
  {
    name: 'daily cron 02:30 across the spring gap',
    schedule: { kind: 'cron', expr: '30 2 * * *' },
    after: '2026-03-06T12:00Z',
    expected: utc('2026-03-07T07:30Z', '2026-03-08T07:00Z', '2026-03-09T06:30Z'),
  },
  {
    name: 'daily cron 02:30 in autumn is not repeated (the repeated hour is 01:00–02:00)',
    schedule: { kind: 'cron', expr: '30 2 * * *' },
    after: '2026-10-30T12:00Z',
    expected: utc('2026-10-31T06:30Z', '2026-11-01T07:30Z', '2026-11-02T07:30Z'),
  },
  {
    name: 'daily cron 01:30 across the overlap: once, at the EDT occurrence',
    schedule: { kind: 'cron', expr: '30 1 * * *' },
    after: '2026-10-30T12:00Z',
    expected: utc('2026-10-31T05:30Z', '2026-11-01T05:30Z', '2026-11-02T06:30Z'),
  },
  {
    name: 'hourly cron :30 on the spring day',
    schedule: { kind: 'cron', expr: '30 * * * *' },
    after: '2026-03-08T05:00Z',
    expected: utc(
      '2026-03-08T05:30Z',
      '2026-03-08T06:30Z',
      '2026-03-08T07:00Z',
      '2026-03-08T07:30Z',
      '2026-03-08T08:30Z',
    ),
  },
  {
    name: 'hourly cron :30 on the autumn day: 01:30 once',
    schedule: { kind: 'cron', expr: '30 * * * *' },
    after: '2026-11-01T03:00Z',
    expected: utc(
      '2026-11-01T03:30Z',
      '2026-11-01T04:30Z',
      '2026-11-01T05:30Z',
      '2026-11-01T07:30Z',
      '2026-11-01T08:30Z',
    ),
  },
  {
    name: 'weekly Sunday 02:30 in spring',
    schedule: { kind: 'weekly', days: ['sun'], at: '02:30' },
    after: '2026-02-27T12:00Z',
    expected: utc('2026-03-01T07:30Z', '2026-03-08T07:00Z', '2026-03-15T06:30Z'),
  },
  {
    name: 'weekly Sunday 01:30 in autumn',
    schedule: { kind: 'weekly', days: ['sun'], at: '01:30' },
    after: '2026-10-24T12:00Z',
    expected: utc('2026-10-25T05:30Z', '2026-11-01T05:30Z', '2026-11-08T06:30Z'),
  },
  {
    name: 'monthly day 8 02:30',
    schedule: { kind: 'monthly', day: 8, at: '02:30' },
    after: '2026-02-01T00:00Z',
    expected: utc('2026-02-08T07:30Z', '2026-03-08T07:00Z', '2026-04-08T06:30Z'),
  },
  {
    name: 'monthly first Sunday 01:30',
    schedule: { kind: 'monthly', nth: 1, weekday: 'sun', at: '01:30' },
    after: '2026-09-30T00:00Z',
    expected: utc('2026-10-04T05:30Z', '2026-11-01T05:30Z', '2026-12-06T06:30Z'),
  },
]);

// Lord Howe shifts by 30 minutes: 2026-04-05 02:00 (+11) → 01:30 (+10:30) at 04-04T15:00Z;
// 2026-10-04 02:00 (+10:30) → 02:30 (+11) at 10-03T15:30Z.
table('Australia/Lord_Howe', [
  {
    name: 'daily cron 01:45 across the April overlap',
    schedule: { kind: 'cron', expr: '45 1 * * *' },
    after: '2026-04-03T00:00Z',
    expected: utc('2026-04-03T14:45Z', '2026-04-04T14:45Z', '2026-04-05T15:15Z'),
  },
  {
    name: 'daily cron 02:15 across the October gap: 02:15 → 02:30',
    schedule: { kind: 'cron', expr: '15 2 * * *' },
    after: '2026-10-02T00:00Z',
    expected: utc('2026-10-02T15:45Z', '2026-10-03T15:30Z', '2026-10-04T15:15Z'),
  },
  {
    name: 'hourly cron :45 on the April day: the repeated 01:45 once',
    schedule: { kind: 'cron', expr: '45 * * * *' },
    after: '2026-04-04T12:00Z',
    expected: utc(
      '2026-04-04T12:45Z',
      '2026-04-04T13:45Z',
      '2026-04-04T14:45Z',
      '2026-04-04T16:15Z',
      '2026-04-04T17:15Z',
    ),
  },
  {
    name: 'hourly cron :15 on the October day: 02:15 → 02:30',
    schedule: { kind: 'cron', expr: '15 * * * *' },
    after: '2026-10-03T13:00Z',
    expected: utc(
      '2026-10-03T13:45Z',
      '2026-10-03T14:45Z',
      '2026-10-03T15:30Z',
      '2026-10-03T16:15Z',
      '2026-10-03T17:15Z',
    ),
  },
  {
    name: 'weekly Sunday 01:45 in April',
    schedule: { kind: 'weekly', days: ['sun'], at: '01:45' },
    after: '2026-03-27T00:00Z',
    expected: utc('2026-03-28T14:45Z', '2026-04-04T14:45Z', '2026-04-11T15:15Z'),
  },
  {
    name: 'weekly Sunday 02:15 in October',
    schedule: { kind: 'weekly', days: ['sun'], at: '02:15' },
    after: '2026-09-25T00:00Z',
    expected: utc('2026-09-26T15:45Z', '2026-10-03T15:30Z', '2026-10-10T15:15Z'),
  },
  {
    name: 'monthly first Sunday 01:45',
    schedule: { kind: 'monthly', nth: 1, weekday: 'sun', at: '01:45' },
    after: '2026-02-01T00:00Z',
    expected: utc('2026-02-28T14:45Z', '2026-04-04T14:45Z', '2026-05-02T15:15Z'),
  },
  {
    name: 'monthly first Sunday 02:15',
    schedule: { kind: 'monthly', nth: 1, weekday: 'sun', at: '02:15' },
    after: '2026-09-01T00:00Z',
    expected: utc('2026-09-05T15:45Z', '2026-10-03T15:30Z', '2026-10-31T15:15Z'),
  },
]);

// Kolkata: +05:30 all year, so the European transition days change nothing.
table('Asia/Kolkata', [
  {
    name: 'daily cron 02:30',
    schedule: { kind: 'cron', expr: '30 2 * * *' },
    after: '2026-03-28T00:00Z',
    expected: utc('2026-03-28T21:00Z', '2026-03-29T21:00Z', '2026-03-30T21:00Z'),
  },
  {
    name: 'hourly cron :30',
    schedule: { kind: 'cron', expr: '30 * * * *' },
    after: '2026-10-24T22:00Z',
    expected: utc('2026-10-24T23:00Z', '2026-10-25T00:00Z', '2026-10-25T01:00Z'),
  },
  {
    name: 'weekly Sunday 02:30',
    schedule: { kind: 'weekly', days: ['sun'], at: '02:30' },
    after: '2026-03-27T00:00Z',
    expected: utc('2026-03-28T21:00Z', '2026-04-04T21:00Z'),
  },
  {
    name: 'monthly day 8 02:30',
    schedule: { kind: 'monthly', day: 8, at: '02:30' },
    after: '2026-03-01T00:00Z',
    expected: utc('2026-03-07T21:00Z', '2026-04-07T21:00Z'),
  },
]);

describe('asking from inside the repeated hour', () => {
  test('from the second pass, the repeated times are not fired again', () => {
    // 01:40Z is 02:40 CET, second pass; 02:45 was already fired at 00:45Z (CEST).
    assert.deepEqual(
      firings({ kind: 'cron', expr: '*/15 * * * *', tz: 'Europe/Paris' }, '2026-10-25T01:40Z', 2),
      utc('2026-10-25T02:00Z', '2026-10-25T02:15Z'),
    );
  });
  test('from the first pass, the rest of the first pass comes next', () => {
    assert.deepEqual(
      firings({ kind: 'cron', expr: '*/15 * * * *', tz: 'Europe/Paris' }, '2026-10-25T00:40Z', 2),
      utc('2026-10-25T00:45Z', '2026-10-25T02:00Z'),
    );
  });
});
