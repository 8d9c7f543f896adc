// Calendar windows (core/schedule/calendar-windows.ts): yearly days are whole days in the
// task's zone (DST days included), consecutive days chain, absolute ranges close as a task's
// own blackouts do, and blockedBy names the calendar; yearly day validation names the index.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseYearly } from '../../../src/core/calendar.ts';
import { compileWindows, withCalendars } from '../../../src/core/schedule/index.ts';

const at = (iso: string) => Date.parse(iso);

describe('calendar windows', () => {
  const open = compileWindows({ tz: 'Europe/Paris' });

  test('a yearly day is closed from its midnight to the next, in the zone, also on a DST day', () => {
    const w = withCalendars(open, [{ name: 'dst', blackouts: [], yearly: ['03-29'] }], 'Europe/Paris');
    // 2026-03-29 is 23 h long in Paris: 00:00 +01:00 to 00:00 +02:00.
    assert.equal(w.isOpen(at('2026-03-28T22:59:59Z')), true);
    assert.equal(w.isOpen(at('2026-03-28T23:00:00Z')), false);
    assert.deepEqual(w.blockedBy(at('2026-03-29T12:00:00Z')), {
      calendar: 'dst',
      from: at('2026-03-28T23:00:00Z'),
      until: at('2026-03-29T22:00:00Z'),
    });
    assert.equal(w.nextOpen(at('2026-03-29T05:00:00Z')), at('2026-03-29T22:00:00Z'));
    assert.equal(w.nextClose(at('2026-03-20T00:00:00Z')), at('2026-03-28T23:00:00Z'));
  });

  test('consecutive days and ranges of several calendars chain; the first listed is named', () => {
    const w = withCalendars(
      open,
      [
        { name: 'xmas', blackouts: [], yearly: ['12-24', '12-25'] },
        { name: 'freeze', blackouts: [{ from: '2026-12-25T12:00:00Z', to: '2026-12-27T00:00:00Z' }], yearly: [] },
      ],
      'UTC',
    );
    assert.equal(w.nextOpen(at('2026-12-24T08:00:00Z')), at('2026-12-27T00:00:00Z'));
    assert.equal(w.blockedBy(at('2026-12-26T08:00:00Z'))?.calendar, 'freeze');
    assert.equal(w.blockedBy(at('2026-12-25T13:00:00Z'))?.calendar, 'freeze');
    assert.equal(w.blockedBy(at('2026-12-24T13:00:00Z'))?.calendar, 'xmas');
  });

  test('a calendar closing every day never opens again (no endless search)', () => {
    const days = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(5, 10));
    const w = withCalendars(open, [{ name: 'never', blackouts: [], yearly: days }], 'UTC');
    assert.equal(w.nextOpen(at('2026-06-01T00:00:00Z')), null);
  });

  test('yearly days: MM-DD, a day some year has (02-29 yes, 02-30 no), the index named', () => {
    assert.deepEqual(parseYearly(['12-25', '02-29', '12-25'], 'yearly'), ['02-29', '12-25']);
    assert.throws(
      () => parseYearly(['01-01', '02-30'], 'yearly'),
      /^ValidationError: yearly\[1\]: "02-30" is not a day/,
    );
    assert.throws(() => parseYearly(['04-31'], 'yearly'), /yearly\[0\]/);
    assert.throws(() => parseYearly(['1-1'], 'yearly'), /yearly\[0\]: must be a day of the year as "MM-DD"/);
    assert.throws(() => parseYearly('12-25', 'yearly'), /yearly/);
  });
});
