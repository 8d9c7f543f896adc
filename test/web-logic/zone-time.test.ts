// The task editor's wall times in the task's zone (web/src/lib/zone-time.ts), whatever the
// zone this process runs in: each instant gets its zone's offset at that date.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromZoneInput, knownZone, toZoneInput } from '../../web/src/lib/zone-time.ts';

test("a wall time in the task's zone gets that zone's offset at that date", () => {
  assert.equal(fromZoneInput('2026-12-24T18:00', 'Europe/Paris'), '2026-12-24T18:00:00+01:00');
  assert.equal(fromZoneInput('2027-07-14T08:00', 'Europe/Paris'), '2027-07-14T08:00:00+02:00');
  assert.equal(fromZoneInput('2027-01-02T03:04', 'America/New_York'), '2027-01-02T03:04:00-05:00');
  assert.equal(fromZoneInput('2027-01-02T03:04', 'Asia/Kolkata'), '2027-01-02T03:04:00+05:30');
  assert.equal(fromZoneInput('2027-01-02T03:04', 'UTC'), '2027-01-02T03:04:00+00:00');
  assert.equal(fromZoneInput('', 'Europe/Paris'), null);
});

test('a wall time a DST change skips still gets a valid instant; the hour repeated in autumn is its second pass', () => {
  // 2027-03-28 02:30 does not exist in Paris (02:00 → 03:00).
  const skipped = fromZoneInput('2027-03-28T02:30', 'Europe/Paris') ?? '';
  assert.match(skipped, /^2027-03-28T02:30:00\+0[12]:00$/);
  assert.ok(!Number.isNaN(Date.parse(skipped)));
  assert.equal(fromZoneInput('2027-10-31T02:30', 'Europe/Paris'), '2027-10-31T02:30:00+01:00');
});

test('an instant shows as the wall time of the task zone, and reads back to the same instant', () => {
  assert.equal(toZoneInput('2026-12-24T17:00:00Z', 'Europe/Paris'), '2026-12-24T18:00');
  assert.equal(toZoneInput('2026-12-24T18:00:00+01:00', 'America/New_York'), '2026-12-24T12:00');
  assert.equal(toZoneInput(null, 'Europe/Paris'), '');
  assert.equal(toZoneInput('not a date', 'Europe/Paris'), '');
  for (const iso of ['2027-07-14T06:00:00Z', '2026-12-31T23:30:00Z']) {
    for (const tz of ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe']) {
      assert.equal(Date.parse(fromZoneInput(toZoneInput(iso, tz), tz) ?? ''), Date.parse(iso), `${iso} in ${tz}`);
    }
  }
});

test('a zone still being typed falls back to UTC', () => {
  assert.equal(knownZone('Europe/Par'), 'UTC');
  assert.equal(knownZone('Europe/Paris'), 'Europe/Paris');
  assert.equal(fromZoneInput('2027-01-02T03:04', 'Europe/Par'), '2027-01-02T03:04:00+00:00');
});
