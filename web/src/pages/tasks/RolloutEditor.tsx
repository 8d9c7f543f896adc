import type { TaskDef } from '../../api/types.ts';
import { Check, Field } from '../../components/ui.tsx';

type Rollout = NonNullable<TaskDef['rollout']>;

const FIRST_ROLLOUT: Rollout = { waves: ['10%', '50%'], pause: '10m', order: 'name' };

const listOf = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * A task's staged rollout: each run reaches its targets in cumulative waves ("10%, 50%";
 * the rest is one more wave), the next one opening after a pause once the earlier ones
 * ended, and halting when failures pass the threshold. Unchecked: every target at once.
 */
export function RolloutEditor(props: { value: Rollout | undefined; onChange(next: Rollout | undefined): void }) {
  const rollout = props.value;
  const set = (patch: Partial<Rollout>) => {
    if (!rollout) return;
    const next: Rollout = { ...rollout, ...patch };
    if (!next.maxFailures) delete next.maxFailures;
    props.onChange(next);
  };
  return (
    <fieldset className="rollout">
      <legend>Rollout</legend>
      <Check
        label="Staged rollout (targets in waves)"
        checked={rollout !== undefined}
        onChange={(staged) => props.onChange(staged ? FIRST_ROLLOUT : undefined)}
      />
      {rollout ? (
        <div className="row">
          <Field
            name="rollout.waves"
            label="Waves"
            hint='cumulative, comma-separated: counts ("5, 50") or shares ("10%, 50%"); the targets left form a last wave'
          >
            <input value={rollout.waves.join(', ')} onChange={(e) => set({ waves: listOf(e.target.value) })} />
          </Field>
          <Field name="rollout.pause" label="Pause between waves" hint='e.g. "10m", "1h"; 0 for none'>
            <input value={rollout.pause} onChange={(e) => set({ pause: e.target.value })} />
          </Field>
          <Field
            name="rollout.maxFailures"
            label="Halt after failures (optional)"
            hint='a count ("3") or a share ("5%")'
          >
            <input value={rollout.maxFailures ?? ''} onChange={(e) => set({ maxFailures: e.target.value })} />
          </Field>
          <Field name="rollout.order" label="Targets in order of">
            <select value={rollout.order} onChange={(e) => set({ order: e.target.value as Rollout['order'] })}>
              <option value="name">their name</option>
              <option value="random">chance (fixed per run)</option>
            </select>
          </Field>
        </div>
      ) : null}
    </fieldset>
  );
}
