import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fieldPath, ValidationError } from './errors.ts';

/**
 * JSON-schema validation with errors in the product's shape: a ValidationError naming the
 * offending field ("args.path", "params.chunk"). Strict mode so that a typo in a schema
 * ("minLenght") fails when the schema is compiled instead of silently validating nothing;
 * no type coercion, so "5" never passes for 5.
 */
const options = {
  strict: true,
  allErrors: false,
  coerceTypes: false,
  allowUnionTypes: true,
  formats: { 'date-time': isDateTime },
} as const;
/**
 * The two ajv instances, made at their first schema (each compiles its meta-schema, which
 * every process importing this file paid at start): `plain` is for schemas that are a single
 * value (ajv refuses `default` at a schema's root when it fills defaults).
 */
const instances: { fillingDefaults?: Ajv; plain?: Ajv } = {};
function ajvFor(useDefaults: boolean): Ajv {
  if (useDefaults) {
    instances.fillingDefaults ??= new Ajv({ ...options, useDefaults: true });
    return instances.fillingDefaults;
  }
  instances.plain ??= new Ajv(options);
  return instances.plain;
}

/** RFC 3339 date-time, the one format the agent protocol's schemas use (serverTime). */
function isDateTime(text: string): boolean {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(text) && !Number.isNaN(Date.parse(text));
}

export type SchemaValidator = (value: unknown, field: string) => unknown;

/**
 * Compiles `schema` once. The returned function validates a copy of the value (defaults
 * are filled into the copy, never into the caller's object) and returns that copy.
 * Throws ajv's own error when the schema itself is invalid: that is a programming error.
 */
export function compileSchema(schema: Record<string, unknown>, opts: { useDefaults?: boolean } = {}): SchemaValidator {
  const validate = ajvFor(opts.useDefaults !== false).compile(schema);
  return (value, field) => {
    const copy = value === undefined ? undefined : structuredClone(value);
    if (!validate(copy)) throw toValidationError(validate, copy, field);
    return copy;
  };
}

/**
 * compileSchema for a schema written in the code (a module's payload, a report's shape): it
 * compiles at the first value checked, not when its file is imported, so that a process
 * pays only for the schemas it uses (compiling them all was a sixth of the server's start).
 */
export function compileSchemaOnFirstUse(
  schema: Record<string, unknown>,
  opts: { useDefaults?: boolean } = {},
): SchemaValidator {
  let validate: SchemaValidator | undefined;
  return (value, field) => {
    validate ??= compileSchema(schema, opts);
    return validate(value, field);
  };
}

/** Removes a compiled schema from the shared ajv instance, for callers that cache and evict. */
export function forgetSchema(schema: Record<string, unknown>): void {
  instances.fillingDefaults?.removeSchema(schema);
  instances.plain?.removeSchema(schema);
}

function toValidationError(validate: ValidateFunction, data: unknown, field: string): ValidationError {
  const error = validate.errors?.[0] as ErrorObject;
  const path = instanceField(field, error.instancePath, data);
  switch (error.keyword) {
    case 'required':
      return new ValidationError(fieldPath(path, String(error.params['missingProperty'])), 'is required');
    case 'additionalProperties':
      return new ValidationError(
        fieldPath(path, String(error.params['additionalProperty'])),
        'is not a known property',
      );
    case 'enum': {
      const allowed = (error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return new ValidationError(path, `must be one of ${allowed}`);
    }
    default:
      return new ValidationError(path, error.message ?? 'is invalid');
  }
}

/** Turns ajv's JSON pointer ("/jobs/0/name") into our field path ("x.jobs[0].name"). */
function instanceField(field: string, pointer: string, data: unknown): string {
  let path = field;
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) {
      path = fieldPath(path, Number(key));
      node = node[Number(key)];
    } else {
      path = fieldPath(path, key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}
