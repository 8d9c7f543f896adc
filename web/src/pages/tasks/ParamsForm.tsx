import { useEffect, useId, useRef, useState } from 'react';
import { Check, Field } from '../../components/ui.tsx';
import { type FormField, formFields, inputFromValue, valueFromInput, withParam } from '../../lib/schema-form.ts';

type Params = Record<string, unknown>;

/**
 * A job's params as a form generated from the module's JSON schema, with a raw JSON editor
 * for what the form cannot show. `overrides` swaps in a schema for one field (the command
 * module's `args` take the schema of the catalog command chosen).
 */
export function ParamsForm(props: {
  schema: unknown;
  value: Params;
  onChange(next: Params): void;
  overrides?: Record<string, unknown>;
  /** Values to offer for string fields (e.g. the catalog's command names). */
  suggestions?: Record<string, string[]>;
  label: string;
  /** Where the params are, as the API names fields (`jobs[0].params`): its errors show at the field. */
  path: string;
}) {
  const fields = formFields(props.schema);
  const [raw, setRaw] = useState(fields === null);
  if (raw || fields === null) {
    return (
      <div className="params">
        <RawJson label={`${props.label} (JSON)`} path={props.path} value={props.value} onChange={props.onChange} />
        {fields !== null ? (
          <button type="button" className="link-button" onClick={() => setRaw(false)}>
            Edit as a form
          </button>
        ) : null}
      </div>
    );
  }
  return (
    <div className="params">
      {fields.length === 0 ? <p className="muted">This module takes no parameters.</p> : null}
      <div className="params-fields">
        {fields.map((field) => {
          const override = props.overrides?.[field.name];
          const value = props.value[field.name];
          const set = (v: unknown) => props.onChange(withParam(props.value, field.name, v));
          if (override !== undefined && formFields(override) !== null) {
            return (
              <fieldset key={field.name} className="nested-params">
                <legend>{field.name}</legend>
                <ParamsForm
                  schema={override}
                  value={(value as Params | undefined) ?? {}}
                  onChange={(v) => set(v)}
                  label={field.name}
                  path={`${props.path}.${field.name}`}
                />
              </fieldset>
            );
          }
          return (
            <ParamField
              key={field.name}
              field={field}
              path={`${props.path}.${field.name}`}
              value={value}
              onChange={set}
              suggestions={props.suggestions?.[field.name]}
            />
          );
        })}
      </div>
      <button type="button" className="link-button" onClick={() => setRaw(true)}>
        Edit {props.label} as JSON
      </button>
    </div>
  );
}

function ParamField(props: {
  field: FormField;
  path: string;
  value: unknown;
  onChange(v: unknown): void;
  suggestions: string[] | undefined;
}) {
  const { field, value, onChange } = props;
  const listId = useId();
  const label = `${field.name}${field.required ? ' *' : ''}`;
  const hint = [field.description, field.default !== undefined ? `default ${JSON.stringify(field.default)}` : '']
    .filter(Boolean)
    .join(' — ');
  switch (field.kind) {
    case 'boolean':
      return <Check label={label} checked={value === true} onChange={(c) => onChange(c ? true : undefined)} />;
    case 'enum':
      return (
        <Field name={props.path} label={label} hint={hint}>
          <select
            value={inputFromValue(field, value)}
            onChange={(e) => onChange(valueFromInput(field, e.target.value))}
          >
            <option value="">{field.required ? 'choose…' : '(default)'}</option>
            {field.enumValues.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </Field>
      );
    case 'number':
    case 'integer':
      return (
        <Field name={props.path} label={label} hint={hint}>
          <input
            type="number"
            step={field.kind === 'integer' ? 1 : 'any'}
            min={field.minimum}
            max={field.maximum}
            value={inputFromValue(field, value)}
            onChange={(e) => onChange(valueFromInput(field, e.target.value))}
          />
        </Field>
      );
    case 'string-array':
      return (
        <Field name={props.path} label={label} hint={hint ? `${hint} — one per line` : 'one per line'}>
          <textarea
            rows={3}
            value={inputFromValue(field, value)}
            onChange={(e) => onChange(valueFromInput(field, e.target.value))}
          />
        </Field>
      );
    case 'json':
      return <RawJson label={label} path={props.path} value={value} onChange={onChange} />;
    default:
      return (
        <Field name={props.path} label={label} hint={hint}>
          <input
            list={props.suggestions ? listId : undefined}
            value={inputFromValue(field, value)}
            onChange={(e) => onChange(valueFromInput(field, e.target.value))}
          />
          {props.suggestions ? (
            <datalist id={listId}>
              {props.suggestions.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
          ) : null}
        </Field>
      );
  }
}

/** JSON text that updates the value only while it parses; a parse error is shown, not thrown. */
function RawJson<T>({ label, path, value, onChange }: { label: string; path: string; value: T; onChange(v: T): void }) {
  const shown = value === undefined ? '' : JSON.stringify(value, null, 2);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  const emitted = useRef(shown);
  // Follow changes made elsewhere (the form), not the echo of what was typed here.
  useEffect(() => {
    if (shown !== emitted.current) {
      emitted.current = shown;
      setText(shown);
      setError(null);
    }
  }, [shown]);
  const emit = (v: T) => {
    emitted.current = v === undefined ? '' : JSON.stringify(v, null, 2);
    onChange(v);
  };
  return (
    <Field name={path} label={label} hint={error ?? undefined} wide>
      <textarea
        className="mono"
        rows={Math.min(12, Math.max(3, text.split('\n').length))}
        value={text}
        aria-invalid={error !== null}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setError(null);
            emit(undefined as T);
            return;
          }
          try {
            emit(JSON.parse(e.target.value));
            setError(null);
          } catch (err) {
            setError(`not valid JSON yet: ${(err as Error).message}`);
          }
        }}
      />
    </Field>
  );
}
