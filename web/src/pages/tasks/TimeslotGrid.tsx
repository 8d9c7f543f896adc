import { type KeyboardEvent, type PointerEvent, useMemo, useRef, useState } from 'react';
import {
  type Cell,
  countOn,
  DAYS,
  type Grid,
  gridFromTimeslots,
  HOURS,
  paintRect,
  type Timeslot,
  timeslotsFromGrid,
} from '../../lib/timeslots.ts';

interface Drag {
  start: Cell;
  value: boolean;
  preview: Grid;
}

function cellAt(x: number, y: number): Cell | null {
  const el = document.elementFromPoint(x, y)?.closest<HTMLElement>('[data-day]');
  if (!el) return null;
  return { day: Number(el.dataset.day), hour: Number(el.dataset.hour) };
}

/**
 * The week as 7 rows of 24 hours (seed 001's picture). Press on an hour and drag: the
 * rectangle swept becomes allowed, or forbidden when the first hour was allowed. Keyboard:
 * arrows move, Space or Enter toggles. No hour allowed means no restriction.
 */
export function TimeslotGrid(props: { value: Timeslot[]; onChange(slots: Timeslot[]): void; readOnly?: boolean }) {
  const { value, onChange, readOnly = false } = props;
  const { grid, exact } = useMemo(() => gridFromTimeslots(value), [value]);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [focus, setFocus] = useState<Cell>({ day: 0, hour: 8 });
  const cells = useRef<HTMLTableSectionElement>(null);
  const shown = drag?.preview ?? grid;

  function onPointerDown(e: PointerEvent<HTMLTableElement>) {
    const start = cellAt(e.clientX, e.clientY);
    if (!start || e.button !== 0 || readOnly) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    const paint = !grid[start.day]?.[start.hour];
    setFocus(start);
    setDrag({ start, value: paint, preview: paintRect(grid, start, start, paint) });
  }
  function onPointerMove(e: PointerEvent<HTMLTableElement>) {
    if (!drag) return;
    const at = cellAt(e.clientX, e.clientY);
    if (at) setDrag({ ...drag, preview: paintRect(grid, drag.start, at, drag.value) });
  }
  function onPointerUp() {
    if (!drag) return;
    onChange(timeslotsFromGrid(drag.preview));
    setDrag(null);
  }
  function onKeyDown(e: KeyboardEvent<HTMLTableElement>) {
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
      Home: [0, -HOURS],
      End: [0, HOURS],
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      const next = {
        day: Math.min(6, Math.max(0, focus.day + move[0])),
        hour: Math.min(HOURS - 1, Math.max(0, focus.hour + move[1])),
      };
      setFocus(next);
      cells.current?.querySelector<HTMLElement>(`[data-day="${next.day}"][data-hour="${next.hour}"]`)?.focus();
    } else if ((e.key === ' ' || e.key === 'Enter') && !readOnly) {
      e.preventDefault();
      onChange(timeslotsFromGrid(paintRect(grid, focus, focus, !grid[focus.day]?.[focus.hour])));
    }
  }

  const on = countOn(shown);
  return (
    <fieldset className="timeslots">
      <legend>Allowed hours (timeslots)</legend>
      {readOnly ? null : (
        <p className="field-hint">
          Drag over the hours to allow them (or start on an allowed hour to forbid). Keyboard: arrows, then Space.
        </p>
      )}
      {!exact ? (
        <p className="warning" role="status">
          Some timeslots start or end within an hour; the grid shows the whole hours they touch, and editing it saves
          whole hours.
        </p>
      ) : null}
      <div className="slot-grid-wrap">
        <table
          className="slot-grid"
          aria-label="Allowed hours, Monday to Sunday, 0 to 24 h"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => setDrag(null)}
          onKeyDown={onKeyDown}
        >
          <thead>
            <tr>
              <td className="slot-corner" />
              {Array.from({ length: HOURS }, (_, h) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: hours are positions
                <th key={h} scope="col" abbr={`${h}:00`}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody ref={cells}>
            {DAYS.map((dayName, day) => (
              <tr key={dayName}>
                <th scope="row">{dayName}</th>
                {shown[day]?.map((allowed, hour) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: hours are positions
                  <td key={hour}>
                    <button
                      type="button"
                      className={allowed ? 'slot on' : 'slot'}
                      data-day={day}
                      data-hour={hour}
                      aria-pressed={allowed}
                      aria-label={`${dayName} ${hour}:00 to ${hour + 1}:00`}
                      disabled={readOnly}
                      tabIndex={focus.day === day && focus.hour === hour ? 0 : -1}
                      onFocus={() => setFocus({ day, hour })}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="slot-summary">
        <span data-testid="timeslot-summary">
          {on === 0
            ? 'No hour selected: the task may run at any time.'
            : `${on} of 168 hours allowed: ${describe(timeslotsFromGrid(shown))}`}
        </span>
        {readOnly ? null : (
          <button type="button" onClick={() => onChange([])} disabled={value.length === 0}>
            Clear
          </button>
        )}
      </div>
    </fieldset>
  );
}

function describe(slots: Timeslot[]): string {
  return slots.map((s) => `${DAYS[s.day]} ${s.from}–${s.to}`).join(', ');
}
