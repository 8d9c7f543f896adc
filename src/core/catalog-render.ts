import { fieldPath, TaskwardenError, ValidationError } from './errors.ts';
import { compileSchema, forgetSchema, type SchemaValidator } from './json-schema.ts';
import { deliveryOf, valueSchema } from './param-delivery.ts';
import type { CatalogCommand } from './ports/store.ts';

/**
 * Turns a catalog command and a job's args into what runs (catalog.ts holds the rules a
 * command must follow to be stored; this trusts them).
 */

/** An argv element that is exactly one placeholder. */
export const PLACEHOLDER = /^\{([A-Za-z_][A-Za-z0-9_]{0,63})\}$/;

/** Compiled argument validators, by a stable key of the params; bounded so edits cannot grow it forever. */
const validators = new Map<string, { schema: Record<string, unknown>; validate: SchemaValidator }>();
const MAX_CACHED_VALIDATORS = 500;

/** A command ready to run: its argv, the variables and standard input its params go to, and the values to mask. */
export interface Invocation {
  argv: string[];
  env: Record<string, string>;
  stdin?: string;
  /** Values of `secret` params: never logged as they are. */
  secrets: string[];
}

/**
 * Validates `args` against the command's params and returns what to execute: each
 * placeholder becomes exactly one argv element, each env/stdin param goes where its schema
 * says. Throws ValidationError naming `args.<param>`.
 */
export function renderInvocation(
  command: Pick<CatalogCommand, 'name' | 'argv' | 'params'>,
  args: unknown,
  field = 'args',
): Invocation {
  const values = argsValidator(command.params)(args ?? {}, field) as Record<string, string | number | boolean>;
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && /[\0\r\n]/.test(value)) {
      throw new ValidationError(fieldPath(field, name), 'must not contain NUL or line-break characters');
    }
  }
  const argv = command.argv.map((element) => {
    const name = PLACEHOLDER.exec(element)?.[1];
    if (name === undefined) return element;
    // parseCatalogCommand guarantees a schema per placeholder; a stored command that breaks it is corrupt.
    if (!(name in values)) throw new TaskwardenError('internal', `command ${command.name}: {${name}} has no parameter`);
    return String(values[name]);
  });
  const invocation: Invocation = { argv, env: {}, secrets: [] };
  for (const [name, schema] of Object.entries(command.params)) {
    const { secret, env, stdin } = deliveryOf(schema);
    const value = String(values[name]);
    if (env !== null) invocation.env[env] = value;
    if (stdin) invocation.stdin = value;
    if (secret) invocation.secrets.push(value);
  }
  return invocation;
}

/**
 * The argv alone, for callers that can pass nothing else (a deploy package's steps): a
 * command with secret, env or stdin params is refused there.
 */
export function renderArgv(
  command: Pick<CatalogCommand, 'name' | 'argv' | 'params'>,
  args: unknown,
  field = 'args',
): string[] {
  const { argv, env, stdin, secrets } = renderInvocation(command, args, field);
  if (Object.keys(env).length > 0 || stdin !== undefined || secrets.length > 0) {
    throw new ValidationError(
      field,
      `command "${command.name}" has secret, env or stdin parameters: only a command job passes them`,
    );
  }
  return argv;
}

function argsValidator(params: Record<string, Record<string, unknown>>): SchemaValidator {
  const key = stableStringify(params);
  const cached = validators.get(key);
  if (cached) {
    // Re-insert so the map's order is least-recently-used first.
    validators.delete(key);
    validators.set(key, cached);
    return cached.validate;
  }
  const schema = {
    type: 'object',
    properties: Object.fromEntries(Object.entries(params).map(([name, param]) => [name, valueSchema(param)])),
    required: Object.keys(params).filter((name) => !('default' in (params[name] as object))),
    additionalProperties: false,
  };
  const entry = { schema, validate: compileSchema(schema) };
  validators.set(key, entry);
  if (validators.size > MAX_CACHED_VALIDATORS) {
    const [oldestKey, oldest] = validators.entries().next().value as [string, { schema: Record<string, unknown> }];
    validators.delete(oldestKey);
    forgetSchema(oldest.schema);
  }
  return entry.validate;
}

/** JSON with object keys sorted, so equal params give equal keys whatever their key order. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
