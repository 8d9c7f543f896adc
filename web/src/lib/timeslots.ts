// The 7×24 grid of allowed hours (seed 001's picture, day 0 = Monday) and the task's
// `timeslots` ranges it stands for. Pure functions: tested under node, used by the grid.

export interface Timeslot {
  day: number;
  from: string;
  to: string;
}

/** grid[day][hour]: true = the task may run in that hour. */
export type Grid = boolean[][];
export interface Cell {
  day: number;
  hour: number;
}

export const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const HOURS = 24;

export function emptyGrid(): Grid {
  return DAYS.map(() => Array.from({ length: HOURS }, () => false));
}

const minutesOf = (hhmm: string) => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};
const hhmm = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

/**
 * The grid for some ranges. An hour is on when a range covers any part of it; `exact` is
 * false when a range starts or ends inside an hour, which the grid cannot show as is.
 */
export function gridFromTimeslots(slots: readonly Timeslot[]): { grid: Grid; exact: boolean } {
  const grid = emptyGrid();
  let exact = true;
  for (const slot of slots) {
    const from = minutesOf(slot.from);
    const to = minutesOf(slot.to);
    if (from % 60 !== 0 || to % 60 !== 0) exact = false;
    const row = grid[slot.day];
    if (!row) continue;
    for (let hour = Math.floor(from / 60); hour < Math.ceil(to / 60) && hour < HOURS; hour++) row[hour] = true;
  }
  return { grid, exact };
}

/** Merged ranges of the grid: consecutive hours of a day make one range; the last may end at 24:00. */
export function timeslotsFromGrid(grid: Grid): Timeslot[] {
  const slots: Timeslot[] = [];
  grid.forEach((row, day) => {
    let start: number | null = null;
    for (let hour = 0; hour <= HOURS; hour++) {
      const on = hour < HOURS && row[hour] === true;
      if (on && start === null) start = hour;
      if (!on && start !== null) {
        slots.push({ day, from: hhmm(start), to: hhmm(hour) });
        start = null;
      }
    }
  });
  return slots;
}

/** A copy of the grid with the rectangle between two cells (any corners) set to `value`. */
export function paintRect(grid: Grid, a: Cell, b: Cell, value: boolean): Grid {
  const [d0, d1] = [Math.min(a.day, b.day), Math.max(a.day, b.day)];
  const [h0, h1] = [Math.min(a.hour, b.hour), Math.max(a.hour, b.hour)];
  return grid.map((row, day) =>
    day < d0 || day > d1 ? row : row.map((cell, hour) => (hour >= h0 && hour <= h1 ? value : cell)),
  );
}

export function countOn(grid: Grid): number {
  return grid.reduce((n, row) => n + row.filter(Boolean).length, 0);
}
