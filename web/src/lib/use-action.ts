import { type FormEvent, useCallback, useState } from 'react';
import { ApiError, post } from '../api/client.ts';

/** Any failure as an ApiError, so every form and button shows it the same way (ErrorNote). */
export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'client', String(err));
}

/** JSON typed into a form field; on a syntax error, an error that names the field (shown as typed). */
export function parseJsonField(field: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(0, 'client', `${field}: not valid JSON (${(err as Error).message})`);
  }
}

export interface Action {
  /** The label of the action under way, or null: buttons disable themselves meanwhile. */
  busy: string | null;
  /** How the last action failed; cleared when the next one starts. */
  error: ApiError | null;
  /** Shows a failure from elsewhere (e.g. a row's delete button) where this action's error shows. */
  setError(error: ApiError | null): void;
  act(label: string, fn: () => Promise<void>): Promise<void>;
}

/** One user action at a time (a save, a cancel, a run): what is under way and how it failed. */
export function useAction(): Action {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const act = useCallback(async (label: string, fn: () => Promise<void>) => {
    setBusy(label);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(null);
    }
  }, []);
  return { busy, error, setError, act };
}

/** A form's submit handler: no page reload, `fn` runs as an action (busy while it runs, its error kept). */
export function useSubmit(fn: () => Promise<void>): Action & { submit(event: FormEvent): void } {
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.act('submit', fn);
  };
  return { ...action, submit };
}

/**
 * A form that creates a token the server shows only once: POST `body()` to `path`, keep the
 * secret to show (until `dismiss`), then `onCreated` (e.g. reload the list).
 */
export function useCreateSecret<T extends { token: string } = { token: string }>(
  path: string,
  body: () => unknown,
  onCreated: () => void,
) {
  const [created, setCreated] = useState<T | null>(null);
  const action = useSubmit(async () => {
    setCreated(await post<T>(path, body()));
    onCreated();
  });
  return { ...action, secret: created?.token ?? null, created, dismiss: () => setCreated(null) };
}
