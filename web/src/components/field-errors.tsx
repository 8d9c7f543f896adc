import { createContext, type ReactNode, useContext } from 'react';
import type { ApiError } from '../api/client.ts';

/**
 * A form's last error, for its fields: the API's 4xx names the field (`jobs[0].delay`,
 * `steps[1].to`) and the Field of that name shows the message next to the control.
 */
const FormError = createContext<ApiError | null>(null);

export function FieldErrors({ error, children }: { error: ApiError | null; children: ReactNode }) {
  return <FormError.Provider value={error}>{children}</FormError.Provider>;
}

/** The message for the field `name` (or one inside it), without the field's name it starts with; null if none. */
export function useFieldError(name: string | undefined): string | null {
  const error = useContext(FormError);
  const field = error?.field;
  if (!name || !error || !field) return null;
  if (field !== name && !field.startsWith(`${name}.`) && !field.startsWith(`${name}[`)) return null;
  return error.message.startsWith(`${field}: `) ? error.message.slice(field.length + 2) : error.message;
}
