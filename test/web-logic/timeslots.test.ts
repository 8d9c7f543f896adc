// The timeslot grid's conversions (web/src/lib/timeslots.ts): grid ↔ the task's merged ranges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { countOn, emptyGrid, gridFromTimeslots, paintRect, timeslotsFromGrid } from '../../web/src/lib/timeslots.ts';

test('the seed table round-trips: ranges → grid → the same merged ranges', () => {
  const seed = [
    { day: 0, from: '00:00', to: '07:00' },
    { day: 0, from: '19:00', to: '24:00' },
    { day: 1, from: '00:00', to: '04:00' },
    { day: 1, from: '06:00', to: '10:00' },
    { day: 4, from: '12:00', to: '14:00' },
    { day: 6, from: '00:00', to: '24:00' },
  ];
  const { grid, exact } = gridFromTimeslots(seed);
  assert.equal(exact, true);
  assert.equal(countOn(grid), 7 + 5 + 4 + 4 + 2 + 24);
  assert.deepEqual(timeslotsFromGrid(grid), seed);
});

test('adjacent and overlapping ranges merge; a range inside an hour marks the grid as inexact', () => {
  const { grid, exact } = gridFromTimeslots([
    { day: 2, from: '08:00', to: '10:00' },
    { day: 2, from: '10:00', to: '11:00' },
    { day: 2, from: '09:30', to: '10:15' },
  ]);
  assert.equal(exact, false);
  assert.deepEqual(timeslotsFromGrid(grid), [{ day: 2, from: '08:00', to: '11:00' }]);
});

test('a dragged rectangle is painted whichever corner it started from', () => {
  const painted = paintRect(emptyGrid(), { day: 3, hour: 15 }, { day: 2, hour: 14 }, true);
  assert.deepEqual(timeslotsFromGrid(painted), [
    { day: 2, from: '14:00', to: '16:00' },
    { day: 3, from: '14:00', to: '16:00' },
  ]);
  const erased = paintRect(painted, { day: 2, hour: 15 }, { day: 3, hour: 15 }, false);
  assert.deepEqual(timeslotsFromGrid(erased), [
    { day: 2, from: '14:00', to: '15:00' },
    { day: 3, from: '14:00', to: '15:00' },
  ]);
});

test('any grid survives grid → ranges → grid unchanged', () => {
  const gridArb = fc.array(fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }), { minLength: 7, maxLength: 7 });
  fc.assert(
    fc.property(gridArb, (grid) => {
      const slots = timeslotsFromGrid(grid);
      for (const s of slots) assert.ok(s.from < s.to || s.to === '24:00');
      assert.deepEqual(gridFromTimeslots(slots).grid, grid);
    }),
  );
});
