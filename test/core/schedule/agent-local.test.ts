// tz "agent" (issue 15): which schedules take it, errors naming the field, the firings over
// a set of zones and each firing's wall time, and the preview per zone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../../src/core/errors.ts';
import { firingsAcrossZones } from '../../../src/core/schedule/agent-local.ts';
import { compileSchedule, parseSchedule, previewSchedule } from '../../../src/core/schedule/index.ts';

const at = (iso: string) => Date.parse(iso);
const refusal = (field: string, message: RegExp) => (err: unknown) =>
  err instanceof ValidationError && err.field === field && message.test(err.message);

describe('tz "agent"', () => {
  test('wall-clock kinds take it, with fallbackTz defaulting to the server zone', () => {
    assert.deepEqual(parseSchedule({ kind: 'cron', expr: '0 2 * * *', tz: 'agent' }, 'schedule', 'Europe/Paris'), {
      kind: 'cron',
      expr: '0 2 * * *',
      tz: 'agent',
      fallbackTz: 'Europe/Paris',
    });
    for (const schedule of [
      { kind: 'weekly', days: ['mon'], at: '09:00' },
      { kind: 'monthly', day: 1, at: '09:00' },
      { kind: 'rrule', rule: 'FREQ=DAILY;BYHOUR=8;BYMINUTE=0' },
      { kind: 'once', at: '2027-01-01T09:00' },
    ]) {
      assert.equal(parseSchedule({ ...schedule, tz: 'agent', fallbackTz: 'UTC' }).tz, 'agent');
    }
  });

  test('errors name the field', () => {
    assert.throws(
      () => parseSchedule({ kind: 'interval', every: '1h', tz: 'agent' }),
      refusal('schedule.tz', /"agent" needs wall times/),
    );
    assert.throws(
      () => parseSchedule({ kind: 'once', at: '2027-01-01T09:00:00Z', tz: 'agent' }),
      refusal('schedule.tz', /without a UTC offset/),
    );
    assert.throws(
      () => parseSchedule({ kind: 'cron', expr: '0 2 * * *', tz: 'Europe/Paris', fallbackTz: 'UTC' }),
      refusal('schedule.fallbackTz', /only with tz "agent"/),
    );
    assert.throws(
      () => parseSchedule({ kind: 'cron', expr: '0 2 * * *', tz: 'agent', fallbackTz: 'Nowhere/City' }),
      refusal('schedule.fallbackTz', /not a known IANA time zone/),
    );
  });

  test('firings come at the earliest zone and name the wall time every zone reaches later', () => {
    const compiled = compileSchedule({ kind: 'cron', expr: '0 * * * *', tz: 'agent', fallbackTz: 'UTC' });
    const firings = firingsAcrossZones(compiled, ['Europe/Paris', 'Europe/London']);
    // Hourly: wall 11:00 reaches Paris at 10:00Z, London at 11:00Z.
    const fireAt = firings.next(at('2026-12-07T09:30:00Z'));
    assert.equal(fireAt, at('2026-12-07T10:00:00Z'));
    const wall = firings.wallOf(fireAt as number) as number;
    assert.equal(firings.instantIn('Europe/Paris', wall), at('2026-12-07T10:00:00Z'));
    assert.equal(firings.instantIn('Europe/London', wall), at('2026-12-07T11:00:00Z'));
    assert.equal(firings.wallOf(at('2026-12-07T10:30:00Z')), null, 'no zone fires then');
  });

  test('the preview lists the firings per zone, each on its own DST', () => {
    const preview = previewSchedule(
      {
        schedule: { kind: 'weekly', days: ['sun'], at: '02:30', tz: 'agent', fallbackTz: 'UTC' },
        zones: ['Europe/Paris', 'Asia/Tokyo'],
      },
      at('2027-03-27T00:00:00Z'),
      1,
    );
    assert.deepEqual(preview.zones, [
      { tz: 'Europe/Paris', firings: [at('2027-03-28T01:00:00Z')] }, // 02:30 is in the gap: 03:00 CEST
      { tz: 'Asia/Tokyo', firings: [at('2027-03-27T17:30:00Z')] },
    ]);
    assert.match(preview.description, /in each agent's local time \(else UTC\)/);
    assert.throws(
      () => previewSchedule({ schedule: { kind: 'manual' }, zones: ['Europe/Paris', 'Bad/Zone'] }, 0, 1),
      refusal('zones[1]', /not a known IANA time zone/),
    );
  });
});
