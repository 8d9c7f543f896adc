import { Ajv, type ValidateFunction } from 'ajv';
import type { Static, TSchema } from 'typebox';
import { schemaValidationError } from './schema-errors.ts';

/** How every wire schema is checked: strict (a typo in a schema fails when it compiles), first error only, nothing removed. */
export const WIRE_AJV_OPTIONS = {
  strict: true,
  allErrors: false,
  allowUnionTypes: true,
  removeAdditional: false,
} as const;

/**
 * Bodies are checked exactly as sent: no coercion ("5" never passes for 5), no defaults
 * filled in; the schedule is a union told apart by its `kind` (protocol/task-def.ts).
 */
export const BODY_AJV_OPTIONS = {
  ...WIRE_AJV_OPTIONS,
  coerceTypes: false,
  useDefaults: false,
  discriminator: true,
} as const;

let bodies: Ajv | undefined;

/** A body checked against its wire schema, typed as the schema says; throws the ValidationError the API would answer. */
export type WireCheck<T extends TSchema> = (value: unknown, prefix?: string) => Static<T>;

/**
 * A check of a body that comes in without a request — a task file, the CLI's offline
 * preview, a default the server seeds — against the schema the route validates the same
 * body with, by an ajv of the same options and errors mapped by the same function: one
 * schema, one message. `prefix` names where the value sits ("tasks[3]"). Compiled at its
 * first call, so a process pays only for the schemas it checks.
 */
export function compileWireCheck<T extends TSchema>(schema: T): WireCheck<T> {
  let validate: ValidateFunction | undefined;
  return (value, prefix = '') => {
    bodies ??= new Ajv(BODY_AJV_OPTIONS);
    validate ??= bodies.compile(schema as Record<string, unknown>);
    if (!validate(value)) throw schemaValidationError(validate.errors?.[0], { prefix, whole: prefix || 'body' });
    return value as Static<T>;
  };
}
