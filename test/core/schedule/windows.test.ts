import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Timeslot } from '../../../src/core/model.ts';
import { compileSchedule, compileWindows, nextFiring, previewSchedule } from '../../../src/core/schedule/index.ts';
import { collect, utc } from './support.ts';

const PARIS = 'Europe/Paris';

/** Seed 001's table (day 0 = Monday), as the seed writes it. */
const SEED_001: Timeslot[] = [
  { day: 0, from: '00:00', to: '07:00' },
  { day: 0, from: '19:00', to: '24:00' },
  { day: 1, from: '00:00', to: '04:00' },
  { day: 1, from: '06:00', to: '10:00' },
  { day: 1, from: '12:00', to: '16:00' },
  { day: 1, from: '19:00', to: '23:00' },
  { day: 2, from: '12:00', to: '15:00' },
  { day: 3, from: '08:00', to: '12:00' },
  { day: 4, from: '12:00', to: '14:00' },
  { day: 5, from: '00:00', to: '24:00' },
  { day: 6, from: '00:00', to: '24:00' },
];

function series(
  schedule: unknown,
  windows: Parameters<typeof compileWindows>[0],
  after: string,
  count: number,
): string[] {
  const compiled = compileSchedule(schedule as never);
  const win = compileWindows(windows);
  return collect((t) => nextFiring(compiled, win, t), after, count);
}

const at = (iso: string) => Date.parse(iso);

describe('timeslots (seed 001)', () => {
  const windows = compileWindows({ tz: PARIS, timeslots: SEED_001 });

  test('open and closed instants, slots merged over midnight and over the week end', () => {
    // 2026-12-07 is a Monday; Paris is at +01:00.
    assert.equal(windows.isOpen(at('2026-12-07T05:59Z')), true); // Mon 06:59
    assert.equal(windows.isOpen(at('2026-12-07T06:00Z')), false); // Mon 07:00 (end is exclusive)
    assert.equal(windows.isOpen(at('2026-12-07T22:59Z')), true); // Mon 23:59
    assert.equal(windows.isOpen(at('2026-12-08T02:00Z')), true); // Tue 03:00, Mon 19:00–Tue 04:00
    assert.equal(windows.isOpen(at('2026-12-08T04:00Z')), false); // Tue 05:00
    assert.equal(windows.isOpen(at('2026-12-13T22:59Z')), true); // Sun 23:59
    assert.equal(windows.isOpen(at('2026-12-13T23:00Z')), true); // Mon 00:00
  });

  test('a daily 11:00 firing is deferred to each day’s next opening', () => {
    const got = series(
      { kind: 'cron', expr: '0 11 * * *', tz: PARIS },
      { tz: PARIS, timeslots: SEED_001 },
      '2026-12-07T00:00Z',
      7,
    );
    assert.deepEqual(
      got,
      utc(
        '2026-12-07T18:00Z', // Mon → 19:00
        '2026-12-08T11:00Z', // Tue → 12:00
        '2026-12-09T11:00Z', // Wed → 12:00
        '2026-12-10T10:00Z', // Thu 11:00 is open
        '2026-12-11T11:00Z', // Fri → 12:00
        '2026-12-12T10:00Z', // Sat
        '2026-12-13T10:00Z', // Sun
      ),
    );
  });

  test('hourly firings deferred to the same opening become one', () => {
    const got = series(
      { kind: 'cron', expr: '0 * * * *', tz: PARIS },
      { tz: PARIS, timeslots: SEED_001 },
      '2026-12-07T06:30Z',
      11,
    );
    assert.deepEqual(
      got,
      utc(
        '2026-12-07T18:00Z', // 08:00 … 19:00 all land on the 19:00 opening: one firing
        '2026-12-07T19:00Z',
        '2026-12-07T20:00Z',
        '2026-12-07T21:00Z',
        '2026-12-07T22:00Z',
        '2026-12-07T23:00Z', // Tue 00:00, inside the merged slot
        '2026-12-08T00:00Z',
        '2026-12-08T01:00Z',
        '2026-12-08T02:00Z',
        '2026-12-08T05:00Z', // Tue 04:00 and 05:00 → the 06:00 opening
        '2026-12-08T06:00Z',
      ),
    );
  });

  test('overlapping and adjacent slots merge (preview description shows it)', () => {
    const { description } = previewSchedule(
      {
        schedule: { kind: 'manual', tz: PARIS },
        timeslots: [
          { day: 0, from: '08:00', to: '12:00' },
          { day: 0, from: '10:00', to: '14:00' },
          { day: 0, from: '14:00', to: '15:00' },
          ...SEED_001.slice(-2),
        ],
      },
      0,
      1,
    );
    assert.match(description, /within Mon 08:00–15:00, Sat 00:00–Sun 24:00$/);
  });

  test('a slot inside the spring gap does not open that day; the repeated autumn hour opens twice', () => {
    const slot = [{ day: 6, from: '02:00', to: '02:30' }];
    const w = compileWindows({ tz: PARIS, timeslots: slot });
    assert.equal(w.nextOpen(at('2026-03-28T12:00Z')), at('2026-04-05T00:00Z'));
    assert.equal(w.nextOpen(at('2026-10-24T12:00Z')), at('2026-10-25T00:00Z'));
    // 00:45Z reads 02:45 CEST (closed); the clock reads 02:00 again at 01:00Z (CET).
    assert.equal(w.nextOpen(at('2026-10-25T00:45Z')), at('2026-10-25T01:00Z'));
    assert.equal(w.isOpen(at('2026-10-25T01:15Z')), true);
  });
});

describe('blackouts', () => {
  const blackouts = [{ from: '2026-12-24T00:00:00+01:00', to: '2026-12-27T00:00:00+01:00' }];

  test('firings inside a blackout are deferred to its end, once', () => {
    const got = series(
      { kind: 'cron', expr: '0 9 * * *', tz: PARIS },
      { tz: PARIS, blackouts },
      '2026-12-22T12:00Z',
      3,
    );
    assert.deepEqual(got, utc('2026-12-23T08:00Z', '2026-12-26T23:00Z', '2026-12-27T08:00Z'));
  });

  test('a blackout ending in a closed timeslot defers to the next slot', () => {
    const w = compileWindows({ tz: PARIS, blackouts, timeslots: [{ day: 0, from: '08:00', to: '10:00' }] });
    // Sunday 27th 00:00 is closed; the next slot is Monday 28th 08:00.
    assert.equal(w.nextOpen(at('2026-12-25T00:00Z')), at('2026-12-28T07:00Z'));
    assert.equal(w.isOpen(at('2026-12-28T07:30Z')), true);
  });
});

describe('activeFrom / activeTill', () => {
  const daily = { kind: 'cron', expr: '0 9 * * *', tz: PARIS };

  test('activeTill ends the series: no firing at or after it', () => {
    const got = series(daily, { tz: PARIS, activeTill: '2026-12-10T09:00:00+01:00' }, '2026-12-07T12:00Z', 5);
    assert.deepEqual(got, utc('2026-12-08T08:00Z', '2026-12-09T08:00Z'));
  });

  test('a firing deferred past activeTill does not happen', () => {
    const got = series(
      daily,
      {
        tz: PARIS,
        activeTill: '2026-12-25T00:00:00+01:00',
        blackouts: [{ from: '2026-12-24T00:00:00+01:00', to: '2026-12-27T00:00:00+01:00' }],
      },
      '2026-12-23T12:00Z',
      5,
    );
    assert.deepEqual(got, []);
  });

  test('activeFrom starts the series: earlier raw firings do not exist (no firing at activeFrom itself)', () => {
    const got = series(daily, { tz: PARIS, activeFrom: '2026-12-10T12:00:00+01:00' }, '2026-12-01T00:00Z', 2);
    assert.deepEqual(got, utc('2026-12-11T08:00Z', '2026-12-12T08:00Z'));
  });

  test('a local activeFrom is read in tz; a firing exactly at activeFrom counts', () => {
    const got = series(daily, { tz: PARIS, activeFrom: '2026-12-10T09:00' }, '2026-12-01T00:00Z', 1);
    assert.deepEqual(got, utc('2026-12-10T08:00Z'));
  });

  test('isOpen and nextOpen respect the active range', () => {
    const w = compileWindows({ tz: 'UTC', activeFrom: '2026-01-01T00:00:00Z', activeTill: '2026-02-01T00:00:00Z' });
    assert.equal(w.isOpen(at('2025-12-31T23:59Z')), false);
    assert.equal(w.isOpen(at('2026-01-15T00:00Z')), true);
    assert.equal(w.isOpen(at('2026-02-01T00:00Z')), false);
    assert.equal(w.nextOpen(at('2025-06-01T00:00Z')), at('2026-01-01T00:00Z'));
    assert.equal(w.nextOpen(at('2026-02-01T00:00Z')), null);
  });
});

describe('previewSchedule', () => {
  test('lists firings at or after `from`, windows applied, with a description of all parts', () => {
    const { firings, description } = previewSchedule(
      {
        schedule: { kind: 'monthly', nth: 2, weekday: 'tue', at: '09:00', tz: PARIS },
        timeslots: [{ day: 1, from: '08:00', to: '12:00' }],
        blackouts: [{ from: '2027-01-01T00:00:00+01:00', to: '2027-01-31T00:00:00+01:00' }],
        activeTill: '2027-06-01T00:00:00+02:00',
      },
      at('2026-12-08T08:00Z'),
      10,
    );
    assert.deepEqual(
      firings.map((t) => new Date(t).toISOString()),
      // January's firing is in the blackout: its end (Sunday 31st) is outside the slot → Tuesday Feb 2nd 08:00.
      utc(
        '2026-12-08T08:00Z',
        '2027-02-02T07:00Z',
        '2027-02-09T08:00Z',
        '2027-03-09T08:00Z',
        '2027-04-13T07:00Z',
        '2027-05-11T07:00Z',
      ),
    );
    assert.equal(
      description,
      'At 09:00 on the second Tuesday of every month, Europe/Paris; within Tue 08:00–12:00; ' +
        'except 2027-01-01 00:00 → 2027-01-31 00:00; active until 2027-06-01 00:00',
    );
  });
});

describe('nextClose: when an open window closes (timeslots govern execution)', () => {
  test('the end of the slot, merged over midnight and over the week end', () => {
    const w = compileWindows({ tz: PARIS, timeslots: SEED_001 });
    assert.equal(w.nextClose(at('2026-12-07T05:00Z')), at('2026-12-07T06:00Z')); // Mon 06:00 → 07:00
    assert.equal(w.nextClose(at('2026-12-07T20:00Z')), at('2026-12-08T03:00Z')); // Mon 21:00 → Tue 04:00
    // Sat 00:00 → Sun 24:00 goes on into Mon 00:00–07:00.
    assert.equal(w.nextClose(at('2026-12-12T10:00Z')), at('2026-12-14T06:00Z'));
    assert.equal(w.nextClose(at('2026-12-07T06:30Z')), at('2026-12-07T06:30Z'), 'closed: now');
  });

  test('a blackout or activeTill ahead closes it first; without any limit it never closes', () => {
    const w = compileWindows({
      tz: 'UTC',
      timeslots: [{ day: 1, from: '08:00', to: '12:00' }],
      blackouts: [{ from: '2026-12-08T10:00:00Z', to: '2026-12-08T11:00:00Z' }],
      activeTill: '2026-12-15T09:00:00Z',
    });
    assert.equal(w.nextClose(at('2026-12-08T08:00Z')), at('2026-12-08T10:00Z'));
    assert.equal(w.nextClose(at('2026-12-08T11:00Z')), at('2026-12-08T12:00Z'));
    assert.equal(w.nextClose(at('2026-12-15T08:00Z')), at('2026-12-15T09:00Z'));
    assert.equal(compileWindows({ tz: 'UTC' }).nextClose(at('2026-12-08T08:00Z')), null);
    const always = compileWindows({
      tz: 'UTC',
      timeslots: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, from: '00:00', to: '24:00' })),
    });
    assert.equal(always.nextClose(at('2026-12-08T08:00Z')), null);
  });

  test('a slot end in a spring-forward gap closes at the end of the gap', () => {
    // Europe/Paris 2026-03-29: 02:00 → 03:00. Sunday (day 6) 01:00–02:30.
    const w = compileWindows({ tz: PARIS, timeslots: [{ day: 6, from: '01:00', to: '02:30' }] });
    assert.equal(w.nextClose(at('2026-03-29T00:30Z')), at('2026-03-29T01:00Z'));
  });
});
