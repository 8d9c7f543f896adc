import type { NotifyRule } from '../../api/types.ts';
import { Check, Field } from '../../components/ui.tsx';

const ENDS: { value: NotifyRule['on'][number]; label: string }[] = [
  { value: 'error', label: 'error (any failure)' },
  { value: 'timeout', label: 'timeout' },
  { value: 'halted', label: 'rollout halted' },
  { value: 'missed', label: 'missed' },
  { value: 'finished', label: 'finished' },
];

export const newRule = (channel: string | undefined): NotifyRule => ({
  on: ['error'],
  channels: channel ? [channel] : [],
  when: 'always',
});

/**
 * Notification rules: for each, which run ends, which channels (by name), and whether to
 * tell every time or only when the outcome changed. The server names a bad field
 * ("notify[0].channels[0]: no channel named …").
 */
export function NotifyRulesEditor(props: {
  rules: NotifyRule[];
  channels: string[];
  onChange(rules: NotifyRule[]): void;
  readOnly: boolean;
}) {
  const { rules, onChange } = props;
  const change = (i: number, patch: Partial<NotifyRule>) =>
    onChange(rules.map((rule, j) => (j === i ? { ...rule, ...patch } : rule)));
  const toggle = <T,>(list: T[], value: T, on: boolean) =>
    on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value);
  return (
    <div className="notify-rules">
      {rules.length === 0 ? <p className="muted">No rule: no one is told how its runs end.</p> : null}
      {rules.map((rule, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rules are edited in place, by position
        <fieldset key={i} className="notify-rule">
          <legend>Rule {i + 1}</legend>
          <fieldset className="row plain">
            <legend className="visually-hidden">Rule {i + 1}: run ends</legend>
            {ENDS.map((end) => (
              <Check
                key={end.value}
                label={end.label}
                checked={rule.on.includes(end.value)}
                disabled={props.readOnly}
                onChange={(on) => change(i, { on: toggle(rule.on, end.value, on) })}
              />
            ))}
          </fieldset>
          <fieldset className="row plain">
            <legend className="visually-hidden">Rule {i + 1}: channels</legend>
            {props.channels.length === 0 ? (
              <span className="muted">No channel yet: an org-admin adds them (Admin → Channels).</span>
            ) : null}
            {props.channels.map((name) => (
              <Check
                key={name}
                label={name}
                checked={rule.channels.includes(name)}
                disabled={props.readOnly}
                onChange={(on) => change(i, { channels: toggle(rule.channels, name, on) })}
              />
            ))}
            {rule.channels
              .filter((name) => !props.channels.includes(name))
              .map((name) => (
                <span key={name} className="error-note">
                  {name} (no such channel)
                </span>
              ))}
          </fieldset>
          <div className="row">
            <Field label={`Rule ${i + 1}: when`}>
              <select
                value={rule.when}
                disabled={props.readOnly}
                onChange={(e) => change(i, { when: e.target.value as NotifyRule['when'] })}
              >
                <option value="always">every time</option>
                <option value="changed">only when the outcome changed</option>
              </select>
            </Field>
            {props.readOnly ? null : (
              <button type="button" className="danger" onClick={() => onChange(rules.filter((_, j) => j !== i))}>
                Remove rule {i + 1}
              </button>
            )}
          </div>
        </fieldset>
      ))}
      {props.readOnly ? null : (
        <button type="button" onClick={() => onChange([...rules, newRule(props.channels[0])])}>
          Add a rule
        </button>
      )}
    </div>
  );
}
