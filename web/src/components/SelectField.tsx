import type { ReactNode } from 'react';
import { Field } from './ui.tsx';

/** One option: a bare string is both the value and the text shown. */
export type Choice = string | { value: string; label: string };

/** A labelled drop-down list; `any` puts an empty "any" choice first (a filter that is off). */
export function SelectField(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  choices: readonly Choice[];
  any?: boolean;
  hint?: ReactNode;
}) {
  return (
    <Field label={props.label} hint={props.hint}>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.any ? <option value="">any</option> : null}
        {props.choices.map((choice) => {
          const { value, label } = typeof choice === 'string' ? { value: choice, label: choice } : choice;
          return (
            <option key={value} value={value}>
              {label}
            </option>
          );
        })}
      </select>
    </Field>
  );
}

/** Things with an id and a name (tasks, orgs) as choices, by name; none while they load. */
export function choicesOf(items: readonly { id: string; name: string }[] | undefined): Choice[] {
  return (items ?? []).map((item) => ({ value: item.id, label: item.name }));
}
