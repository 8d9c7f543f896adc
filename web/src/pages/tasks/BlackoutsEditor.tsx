import type { Blackout } from '../../api/types.ts';
import { Field } from '../../components/ui.tsx';
import { fromLocalInput, toLocalInput } from '../../lib/format.ts';

/** Absolute date ranges the task must not fire in (holidays, freezes), in the browser's zone. */
export function BlackoutsEditor(props: { value: Blackout[]; onChange(next: Blackout[]): void; readOnly?: boolean }) {
  const { value, onChange, readOnly = false } = props;
  const update = (i: number, patch: Partial<Blackout>) =>
    onChange(value.map((b, j) => (j === i ? { ...b, ...patch } : b)));
  return (
    <fieldset className="blackouts">
      <legend>Blackouts</legend>
      {value.length === 0 ? <p className="muted">None: the task may fire on any date.</p> : null}
      {value.map((b, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, by position
        <div className="row" key={i}>
          <Field name={`blackouts[${i}].from`} label={`Blackout ${i + 1} from`}>
            <input
              type="datetime-local"
              value={toLocalInput(b.from)}
              onChange={(e) => update(i, { from: fromLocalInput(e.target.value) ?? '' })}
            />
          </Field>
          <Field name={`blackouts[${i}].to`} label={`Blackout ${i + 1} until`}>
            <input
              type="datetime-local"
              value={toLocalInput(b.to)}
              onChange={(e) => update(i, { to: fromLocalInput(e.target.value) ?? '' })}
            />
          </Field>
          {readOnly ? null : (
            <button type="button" className="link-button" onClick={() => onChange(value.filter((_, j) => j !== i))}>
              Remove blackout {i + 1}
            </button>
          )}
        </div>
      ))}
      {readOnly ? null : <AddBlackout value={value} onChange={onChange} />}
    </fieldset>
  );
}

/** Adds tomorrow, all day, as a starting point to edit. */
function AddBlackout({ value, onChange }: { value: Blackout[]; onChange(next: Blackout[]): void }) {
  return (
    <button
      type="button"
      onClick={() => {
        const start = new Date();
        start.setHours(0, 0, 0, 0);
        start.setDate(start.getDate() + 1);
        const end = new Date(start.getTime() + 86_400_000);
        onChange([
          ...value,
          {
            from: fromLocalInput(toLocalInput(start.toISOString())) ?? '',
            to: fromLocalInput(toLocalInput(end.toISOString())) ?? '',
          },
        ]);
      }}
    >
      Add a blackout
    </button>
  );
}
