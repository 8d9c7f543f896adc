import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../../src/core/errors.ts';
import {
  compileSchedule,
  compileWindows,
  parseBlackouts,
  parseSchedule,
  parseTimeslots,
  previewSchedule,
} from '../../../src/core/schedule/index.ts';

/** Asserts that `fn` throws a ValidationError (HTTP 400) naming `field`. */
function rejects(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${err}`);
    assert.equal(err.field, field, err.message);
    assert.equal(err.status, 400);
    assert.ok(err.message.startsWith(`${field}: `));
    return true;
  });
}

const at = '09:00';
const INVALID_SCHEDULES: Array<[string, unknown, string]> = [
  ['not an object', 'cron', 'schedule'],
  ['null', null, 'schedule'],
  ['no kind', {}, 'schedule.kind'],
  ['unknown kind', { kind: 'hourly' }, 'schedule.kind'],
  ['inherited property as kind', { kind: 'toString' }, 'schedule.kind'],
  ['extra field', { kind: 'cron', expr: '0 2 * * *', timezone: 'Europe/Paris' }, 'schedule.timezone'],
  ['field of another kind', { kind: 'manual', at: '2026-01-01T00:00:00Z' }, 'schedule.at'],
  ['unknown tz', { kind: 'cron', expr: '0 2 * * *', tz: 'Mars/Olympus' }, 'schedule.tz'],
  ['tz not a string', { kind: 'manual', tz: 1 }, 'schedule.tz'],
  ['once without at', { kind: 'once' }, 'schedule.at'],
  ['once, 30 February', { kind: 'once', at: '2026-02-30T10:00:00Z' }, 'schedule.at'],
  ['once, not ISO', { kind: 'once', at: 'tomorrow' }, 'schedule.at'],
  ['interval every 0m', { kind: 'interval', every: '0m' }, 'schedule.every'],
  ['interval every 0', { kind: 'interval', every: 0 }, 'schedule.every'],
  ['interval every words', { kind: 'interval', every: 'soon' }, 'schedule.every'],
  ['interval bad start', { kind: 'interval', every: '1h', start: 'yesterday' }, 'schedule.start'],
  ['cron bad minute', { kind: 'cron', expr: '61 * * * *' }, 'schedule.expr'],
  ['cron 3 fields', { kind: 'cron', expr: '* * *' }, 'schedule.expr'],
  ['cron 7 fields', { kind: 'cron', expr: '0 0 2 * * * 2026' }, 'schedule.expr'],
  ['cron an ISO date', { kind: 'cron', expr: '2026-01-01T00:00:00' }, 'schedule.expr'],
  ['cron empty', { kind: 'cron', expr: ' ' }, 'schedule.expr'],
  ['weekly at 25:00', { kind: 'weekly', days: ['mon'], at: '25:00' }, 'schedule.at'],
  ['weekly at 9:00', { kind: 'weekly', days: ['mon'], at: '9:00' }, 'schedule.at'],
  ['weekly at 24:00', { kind: 'weekly', days: ['mon'], at: '24:00' }, 'schedule.at'],
  ['weekly no days', { kind: 'weekly', days: [], at }, 'schedule.days'],
  ['weekly days not a list', { kind: 'weekly', days: 'mon', at }, 'schedule.days'],
  ['weekly bad day', { kind: 'weekly', days: ['mon', 'xyz'], at }, 'schedule.days[1]'],
  ['monthly day 32', { kind: 'monthly', day: 32, at }, 'schedule.day'],
  ['monthly day 0', { kind: 'monthly', day: 0, at }, 'schedule.day'],
  ['monthly day 1.5', { kind: 'monthly', day: 1.5, at }, 'schedule.day'],
  ['monthly nth 6', { kind: 'monthly', nth: 6, weekday: 'fri', at }, 'schedule.nth'],
  ['monthly nth 0', { kind: 'monthly', nth: 0, weekday: 'fri', at }, 'schedule.nth'],
  ['monthly nth -2', { kind: 'monthly', nth: -2, weekday: 'fri', at }, 'schedule.nth'],
  ['monthly weekday xyz', { kind: 'monthly', nth: 2, weekday: 'xyz', at }, 'schedule.weekday'],
  ['monthly nth without weekday', { kind: 'monthly', nth: 2, at }, 'schedule.weekday'],
  ['monthly day and nth', { kind: 'monthly', day: 3, nth: 2, weekday: 'tue', at }, 'schedule.nth'],
  ['monthly neither day nor nth', { kind: 'monthly', at }, 'schedule.day'],
  ['monthly without at', { kind: 'monthly', day: 3 }, 'schedule.at'],
  ['rrule unknown FREQ', { kind: 'rrule', rule: 'FREQ=SOMETIMES' }, 'schedule.rule'],
  ['rrule without FREQ', { kind: 'rrule', rule: 'INTERVAL=2' }, 'schedule.rule'],
  ['rrule SECONDLY', { kind: 'rrule', rule: 'FREQ=SECONDLY' }, 'schedule.rule'],
  ['rrule bad BYDAY', { kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=XX' }, 'schedule.rule'],
  ['rrule position in WEEKLY', { kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=2TU' }, 'schedule.rule'],
  ['rrule position 6 in MONTHLY', { kind: 'rrule', rule: 'FREQ=MONTHLY;BYDAY=6TU' }, 'schedule.rule'],
  ['rrule BYMONTHDAY=0', { kind: 'rrule', rule: 'FREQ=MONTHLY;BYMONTHDAY=0' }, 'schedule.rule'],
  ['rrule BYHOUR=24', { kind: 'rrule', rule: 'FREQ=DAILY;BYHOUR=24' }, 'schedule.rule'],
  ['rrule unsupported BYSETPOS', { kind: 'rrule', rule: 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1' }, 'schedule.rule'],
  ['rrule part twice', { kind: 'rrule', rule: 'FREQ=DAILY;FREQ=WEEKLY' }, 'schedule.rule'],
  ['rrule INTERVAL list', { kind: 'rrule', rule: 'FREQ=DAILY;INTERVAL=2,3' }, 'schedule.rule'],
  [
    'rrule COUNT and UNTIL',
    { kind: 'rrule', rule: 'FREQ=DAILY;COUNT=2;UNTIL=20270101', start: '2026-01-01T00:00' },
    'schedule.rule',
  ],
  ['rrule bad UNTIL', { kind: 'rrule', rule: 'FREQ=DAILY;UNTIL=2027-01-01' }, 'schedule.rule'],
  ['rrule DTSTART inside', { kind: 'rrule', rule: 'DTSTART:20260101T000000\nRRULE:FREQ=DAILY' }, 'schedule.rule'],
  ['rrule COUNT without start', { kind: 'rrule', rule: 'FREQ=DAILY;COUNT=3' }, 'schedule.start'],
  ['rrule bad start', { kind: 'rrule', rule: 'FREQ=DAILY', start: '2026-13-01T00:00' }, 'schedule.start'],
];

describe('invalid schedules are rejected with the field named', () => {
  for (const [name, input, field] of INVALID_SCHEDULES) {
    test(`${name} → ${field}`, () => {
      rejects(() => parseSchedule(input, 'schedule', 'UTC'), field);
      rejects(() => compileSchedule(input as never, 'UTC'), field);
    });
  }
  test('the field prefix is the caller’s', () => {
    rejects(() => parseSchedule({ kind: 'cron', expr: 'nope' }, 'tasks[2].schedule'), 'tasks[2].schedule.expr');
  });
  test('an invalid default zone is reported on tz', () => {
    rejects(() => parseSchedule({ kind: 'manual' }, 'schedule', 'Nowhere/Land'), 'schedule.tz');
  });
});

describe('invalid timeslots, blackouts and windows', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['timeslots not an array', () => parseTimeslots({ day: 0 }), 'timeslots'],
    ['timeslot to before from', () => parseTimeslots([{ day: 0, from: '10:00', to: '09:00' }]), 'timeslots[0].to'],
    ['timeslot to equal to from', () => parseTimeslots([{ day: 0, from: '10:00', to: '10:00' }]), 'timeslots[0].to'],
    [
      'timeslot day 7',
      () =>
        parseTimeslots([
          { day: 0, from: '10:00', to: '11:00' },
          { day: 7, from: '10:00', to: '11:00' },
        ]),
      'timeslots[1].day',
    ],
    ['timeslot from 24:00', () => parseTimeslots([{ day: 0, from: '24:00', to: '24:00' }]), 'timeslots[0].from'],
    ['timeslot to 24:30', () => parseTimeslots([{ day: 0, from: '10:00', to: '24:30' }]), 'timeslots[0].to'],
    [
      'timeslot extra field',
      () => parseTimeslots([{ day: 0, from: '10:00', to: '11:00', tz: 'UTC' }]),
      'timeslots[0].tz',
    ],
    ['timeslot field prefix', () => parseTimeslots([{ day: 0 }], 'task.timeslots'), 'task.timeslots[0].from'],
    [
      'blackout without offset',
      () => parseBlackouts([{ from: '2026-12-24T00:00:00', to: '2026-12-27T00:00:00Z' }]),
      'blackouts[0].from',
    ],
    [
      'blackout to before from',
      () => parseBlackouts([{ from: '2026-12-24T00:00:00Z', to: '2026-12-23T00:00:00Z' }]),
      'blackouts[0].to',
    ],
    ['blackout not an object', () => parseBlackouts(['2026-12-24']), 'blackouts[0]'],
    ['windows unknown tz', () => compileWindows({ tz: 'Mars/Olympus' }), 'tz'],
    ['windows bad activeFrom', () => compileWindows({ tz: 'UTC', activeFrom: 'now' }), 'activeFrom'],
    [
      'windows activeTill before activeFrom',
      () => compileWindows({ tz: 'UTC', activeFrom: '2026-02-01T00:00:00Z', activeTill: '2026-01-01T00:00:00Z' }),
      'activeTill',
    ],
    ['preview count 0', () => previewSchedule({ schedule: { kind: 'manual' } }, 0, 0), 'count'],
    ['preview count 1001', () => previewSchedule({ schedule: { kind: 'manual' } }, 0, 1001), 'count'],
    ['preview bad schedule', () => previewSchedule({ schedule: { kind: 'weekly' } }, 0, 1), 'schedule.days'],
    [
      'preview bad timeslots',
      () =>
        previewSchedule({ schedule: { kind: 'manual' }, timeslots: [{ day: 0, from: '10:00', to: '09:00' }] }, 0, 1),
      'timeslots[0].to',
    ],
    [
      'preview bad blackouts',
      () => previewSchedule({ schedule: { kind: 'manual' }, blackouts: {} }, 0, 1),
      'blackouts',
    ],
  ];
  for (const [name, fn, field] of cases) test(`${name} → ${field}`, () => rejects(fn, field));
});
