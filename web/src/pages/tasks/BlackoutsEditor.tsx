import type { Blackout } from '../../api/types.ts';
import { Field } from '../../components/ui.tsx';
import { fromZoneInput, knownZone, toZoneInput } from '../../lib/zone-time.ts';

/**
 * Absolute date ranges the task must not fire in (holidays, freezes), edited and shown in
 * the task's zone `tz` (the schedule's), whatever the browser's zone: each is saved with
 * that zone's offset at that date.
 */
export function BlackoutsEditor(props: {
  value: Blackout[];
  tz: string;
  onChange(next: Blackout[]): void;
  readOnly?: boolean;
}) {
  const { value, onChange, readOnly = false } = props;
  const tz = knownZone(props.tz);
  const update = (i: number, patch: Partial<Blackout>) =>
    onChange(value.map((b, j) => (j === i ? { ...b, ...patch } : b)));
  return (
    <fieldset className="blackouts">
      <legend>Blackouts</legend>
      <p className="muted" data-testid="blackouts-zone">
        Dates and times in {tz}, the task's zone.
      </p>
      {value.length === 0 ? <p className="muted">None: the task may fire on any date.</p> : null}
      {value.map((b, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, by position
        <div className="row" key={i}>
          <Field name={`blackouts[${i}].from`} label={`Blackout ${i + 1} from`}>
            <input
              type="datetime-local"
              value={toZoneInput(b.from, tz)}
              onChange={(e) => update(i, { from: fromZoneInput(e.target.value, tz) ?? '' })}
            />
          </Field>
          <Field name={`blackouts[${i}].to`} label={`Blackout ${i + 1} until`}>
            <input
              type="datetime-local"
              value={toZoneInput(b.to, tz)}
              onChange={(e) => update(i, { to: fromZoneInput(e.target.value, tz) ?? '' })}
            />
          </Field>
          {readOnly ? null : (
            <button type="button" className="link-button" onClick={() => onChange(value.filter((_, j) => j !== i))}>
              Remove blackout {i + 1}
            </button>
          )}
        </div>
      ))}
      {readOnly ? null : (
        <button type="button" onClick={() => onChange([...value, tomorrowAllDay(tz)])}>
          Add a blackout
        </button>
      )}
    </fieldset>
  );
}

/** Tomorrow in `tz`, midnight to midnight, as a starting point to edit. */
function tomorrowAllDay(tz: string): Blackout {
  const today = toZoneInput(new Date().toISOString(), tz).slice(0, 10);
  const day = (offset: number) =>
    new Date(Date.parse(`${today}T00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  return { from: fromZoneInput(`${day(1)}T00:00`, tz) ?? '', to: fromZoneInput(`${day(2)}T00:00`, tz) ?? '' };
}
