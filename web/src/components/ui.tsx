import { Children, cloneElement, isValidElement, type ReactElement, type ReactNode, useId, useState } from 'react';
import type { ApiError } from '../api/client.ts';
import { formatLocal } from '../lib/format.ts';
import { useFieldError } from './field-errors.tsx';

const CONTROLS = ['input', 'select', 'textarea'];

/**
 * A labelled control: the label names the first input/select/textarea among the children
 * (by id), and the hint describes it, so readers announce both and clicking the label focuses it.
 * `name` is the field as the API names it: the form's error about it shows here (FieldErrors).
 */
export function Field(props: { label: string; hint?: ReactNode; children: ReactNode; wide?: boolean; name?: string }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const error = useFieldError(props.name);
  const describedBy = [props.hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  let labelled = false;
  const children = Children.map(props.children, (child) => {
    if (labelled || !isValidElement(child) || typeof child.type !== 'string' || !CONTROLS.includes(child.type)) {
      return child;
    }
    labelled = true;
    return cloneElement(child as ReactElement<Record<string, unknown>>, {
      id,
      'aria-describedby': describedBy || undefined,
      'aria-invalid': error ? true : undefined,
    });
  });
  return (
    <div className={`${props.wide ? 'field field-wide' : 'field'}${error ? ' field-invalid' : ''}`}>
      <label className="field-label" htmlFor={id}>
        {props.label}
      </label>
      {children}
      {props.hint ? (
        <span className="field-hint" id={hintId}>
          {props.hint}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" id={errorId} data-testid="field-error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function Check(props: {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
  disabled?: boolean;
}) {
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      {props.label}
    </label>
  );
}

export function ErrorNote({ error }: { error: ApiError | Error | string | null | undefined }) {
  if (!error) return null;
  return (
    <p className="error-note" role="alert">
      {typeof error === 'string' ? error : error.message}
    </p>
  );
}

/** What a page shows when the server has no such feature (its route answers "no route"). */
export function NotAvailable({ what }: { what: string }) {
  return (
    <p className="not-available" role="status">
      {what} is not available on this server yet.
    </p>
  );
}

/** Loading, the error, or the content: every page reads the same while data arrives. */
export function Loaded<T>(props: {
  data: T | undefined;
  error: ApiError | null;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (props.error?.missingRoute) return <NotAvailable what={props.what} />;
  if (props.error && props.data === undefined) return <ErrorNote error={props.error} />;
  if (props.data === undefined) return <p className="muted">Loading {props.what}…</p>;
  return <>{props.children(props.data)}</>;
}

export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatLocal(iso)}
    </time>
  );
}

/** A secret the server shows once: displayed with a copy button and a warning. */
export function SecretOnce({ label, secret, onDone }: { label: string; secret: string; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret-once" role="status">
      <p>
        <strong>{label}</strong> — copy it now: it is shown only once.
      </p>
      <code className="secret-value" data-testid="secret-value">
        {secret}
      </code>
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}
