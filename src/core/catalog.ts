import { parseDuration } from './duration.ts';
import { fieldPath, TaskwardenError, ValidationError } from './errors.ts';
import { compileSchema, forgetSchema, type SchemaValidator } from './json-schema.ts';
import type { CatalogCommand } from './ports/store.ts';
import { isPrintable, PRINTABLE_HINT } from './printable.ts';

/**
 * The command catalog's rules (Taskomatic: only predefined commands may run). A command is
 * an argv template; each `{param}` is a whole argv element, typed by a small JSON schema,
 * and is replaced by exactly one argument. Nothing ever goes through a shell, so a value
 * like `$(id)` or `; rm -rf /` reaches the program as that literal text.
 */

export type CatalogCommandInput = Omit<CatalogCommand, 'id' | 'orgId' | 'createdAt' | 'updatedAt'>;

const COMMAND_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** An element that is exactly one placeholder. */
const PLACEHOLDER = /^\{([A-Za-z_][A-Za-z0-9_]{0,63})\}$/;
/** A placeholder anywhere inside an element, to reject `--x={path}`. */
const EMBEDDED_PLACEHOLDER = /\{[A-Za-z_][A-Za-z0-9_]{0,63}\}/;
/** A bare program name looked up in PATH: no slash, no leading dash, no whitespace. */
const PROGRAM_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;

const MAX_ARGV = 64;
const MAX_ELEMENT_LENGTH = 4096;
const MAX_DESCRIPTION = 1000;
const MAX_PARAMS = 32;
const DEFAULT_TIMEOUT = '5m';

const TOP_LEVEL_KEYS = new Set(['name', 'description', 'argv', 'params', 'runsOn', 'timeout']);
const RUNS_ON = ['server', 'agent', 'both'] as const;

const PARAM_TYPES = new Set(['string', 'integer', 'number', 'boolean']);
const COMMON_KEYWORDS = new Set(['type', 'enum', 'default', 'description']);
const STRING_KEYWORDS = new Set(['pattern', 'minLength', 'maxLength']);
const NUMBER_KEYWORDS = new Set(['minimum', 'maximum']);

export function parseCatalogCommand(input: unknown, field = 'command'): CatalogCommandInput {
  const obj = asObject(input, field);
  for (const key of Object.keys(obj)) {
    if (!TOP_LEVEL_KEYS.has(key)) throw new ValidationError(fieldPath(field, key), 'is not a known property');
  }
  const name = obj['name'];
  if (typeof name !== 'string' || !COMMAND_NAME.test(name)) {
    throw new ValidationError(
      fieldPath(field, 'name'),
      'must be 1-64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit',
    );
  }
  const description = obj['description'] ?? '';
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION) {
    throw new ValidationError(
      fieldPath(field, 'description'),
      `must be a string of at most ${MAX_DESCRIPTION} characters`,
    );
  }
  if (!isPrintable(description)) throw new ValidationError(fieldPath(field, 'description'), PRINTABLE_HINT);
  const argv = parseArgvTemplate(obj['argv'], fieldPath(field, 'argv'));
  const params = parseParamSchemas(obj['params'] ?? {}, fieldPath(field, 'params'));
  checkPlaceholdersMatchParams(argv, params, field);
  const runsOn = obj['runsOn'] ?? 'server';
  if (!RUNS_ON.includes(runsOn as never)) {
    throw new ValidationError(fieldPath(field, 'runsOn'), `must be one of ${RUNS_ON.join(', ')}`);
  }
  const timeoutSeconds = parseDuration(obj['timeout'] ?? DEFAULT_TIMEOUT, fieldPath(field, 'timeout'), { min: 1 });
  return { name, description, argv, params, runsOn: runsOn as CatalogCommand['runsOn'], timeoutSeconds };
}

function asObject(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object');
  }
  return value as Record<string, unknown>;
}

function parseArgvTemplate(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_ARGV) {
    throw new ValidationError(field, `must be a list of 1 to ${MAX_ARGV} strings`);
  }
  value.forEach((element, i) => {
    const at = fieldPath(field, i);
    if (typeof element !== 'string' || element.length > MAX_ELEMENT_LENGTH) {
      throw new ValidationError(at, `must be a string of at most ${MAX_ELEMENT_LENGTH} characters`);
    }
    if (element.includes('\0')) throw new ValidationError(at, 'must not contain a NUL character');
    if (!PLACEHOLDER.test(element) && EMBEDDED_PLACEHOLDER.test(element)) {
      throw new ValidationError(
        at,
        `"${element}" embeds a placeholder: parameters are substituted as whole arguments, ` +
          'so a placeholder must be an element of its own (write "--x", "{path}" instead of "--x={path}")',
      );
    }
  });
  const program = value[0] as string;
  if (PLACEHOLDER.test(program)) {
    throw new ValidationError(fieldPath(field, 0), 'the program cannot be a parameter');
  }
  if (!isProgram(program)) {
    throw new ValidationError(
      fieldPath(field, 0),
      `"${program}" must be a program name (like "df") or an absolute path`,
    );
  }
  return value as string[];
}

/** A name found in PATH, or a normalised absolute path (no "." or ".." segments, no trailing slash). */
function isProgram(program: string): boolean {
  if (!program.startsWith('/')) return PROGRAM_NAME.test(program);
  const segments = program.slice(1).split('/');
  return !/[\r\n]/.test(program) && segments.every((s) => s !== '' && s !== '.' && s !== '..');
}

function parseParamSchemas(value: unknown, field: string): Record<string, Record<string, unknown>> {
  const obj = asObject(value, field);
  const names = Object.keys(obj);
  if (names.length > MAX_PARAMS) throw new ValidationError(field, `must have at most ${MAX_PARAMS} parameters`);
  const params: Record<string, Record<string, unknown>> = {};
  for (const name of names) {
    const at = fieldPath(field, name);
    if (!PARAM_NAME.test(name)) {
      throw new ValidationError(at, 'parameter names are letters, digits and "_", not starting with a digit');
    }
    params[name] = parseParamSchema(obj[name], at);
  }
  return params;
}

/** Only a safe, flat subset of JSON schema: no $ref, no nesting, nothing ajv would fetch or evaluate. */
function parseParamSchema(value: unknown, field: string): Record<string, unknown> {
  const schema = asObject(value, field);
  const type = schema['type'];
  if (typeof type !== 'string' || !PARAM_TYPES.has(type)) {
    throw new ValidationError(fieldPath(field, 'type'), `must be one of ${[...PARAM_TYPES].join(', ')}`);
  }
  const typed = type === 'string' ? STRING_KEYWORDS : NUMBER_KEYWORDS;
  for (const key of Object.keys(schema)) {
    if (COMMON_KEYWORDS.has(key) || typed.has(key)) continue;
    const applies = STRING_KEYWORDS.has(key) || NUMBER_KEYWORDS.has(key);
    throw new ValidationError(
      fieldPath(field, key),
      applies
        ? `does not apply to type ${type}`
        : 'is not allowed (use type, pattern, enum, minLength, maxLength, minimum, maximum, default, description)',
    );
  }
  checkKeywordValues(schema, field);
  let validate: SchemaValidator;
  try {
    validate = compileSchema(schema, { useDefaults: false });
  } catch (err) {
    throw new ValidationError(field, `is not a valid schema: ${(err as Error).message}`);
  } finally {
    forgetSchema(schema);
  }
  if ('default' in schema) validate(schema['default'], fieldPath(field, 'default'));
  if (Array.isArray(schema['enum'])) {
    for (const [i, v] of schema['enum'].entries()) validate(v, fieldPath(fieldPath(field, 'enum'), i));
  }
  return schema;
}

function checkKeywordValues(schema: Record<string, unknown>, field: string): void {
  const expect = (key: string, ok: (v: unknown) => boolean, what: string) => {
    if (key in schema && !ok(schema[key])) throw new ValidationError(fieldPath(field, key), `must be ${what}`);
  };
  const count = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  expect('description', (v) => typeof v === 'string' && v.length <= MAX_DESCRIPTION, 'a short string');
  expect('minLength', count, 'a non-negative integer');
  expect('maxLength', count, 'a non-negative integer');
  expect('minimum', Number.isFinite, 'a number');
  expect('maximum', Number.isFinite, 'a number');
  expect('enum', (v) => Array.isArray(v) && v.length > 0 && v.length <= 256, 'a list of 1 to 256 values');
  expect('pattern', isUnicodeRegExp, 'a valid regular expression');
}

function isUnicodeRegExp(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    new RegExp(value, 'u');
    return true;
  } catch {
    return false;
  }
}

function checkPlaceholdersMatchParams(
  argv: string[],
  params: Record<string, Record<string, unknown>>,
  field: string,
): void {
  const used = new Set<string>();
  argv.forEach((element, i) => {
    const name = PLACEHOLDER.exec(element)?.[1];
    if (name === undefined) return;
    if (!(name in params)) {
      throw new ValidationError(fieldPath(fieldPath(field, 'argv'), i), `{${name}} has no schema in params`);
    }
    used.add(name);
  });
  for (const name of Object.keys(params)) {
    if (!used.has(name)) {
      throw new ValidationError(fieldPath(fieldPath(field, 'params'), name), `is not used in argv (add "{${name}}")`);
    }
  }
}

/** Compiled argument validators, by a stable key of the params; bounded so edits cannot grow it forever. */
const validators = new Map<string, { schema: Record<string, unknown>; validate: SchemaValidator }>();
const MAX_CACHED_VALIDATORS = 500;

/**
 * Validates `args` against the command's params and returns the argv to execute: each
 * placeholder becomes exactly one element. Throws ValidationError naming `args.<param>`.
 */
export function renderArgv(
  command: Pick<CatalogCommand, 'name' | 'argv' | 'params'>,
  args: unknown,
  field = 'args',
): string[] {
  const values = argsValidator(command.params)(args ?? {}, field) as Record<string, string | number | boolean>;
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && /[\0\r\n]/.test(value)) {
      throw new ValidationError(fieldPath(field, name), 'must not contain NUL or line-break characters');
    }
  }
  return command.argv.map((element) => {
    const name = PLACEHOLDER.exec(element)?.[1];
    if (name === undefined) return element;
    // parseCatalogCommand guarantees a schema per placeholder; a stored command that breaks it is corrupt.
    if (!(name in values)) throw new TaskwardenError('internal', `command ${command.name}: {${name}} has no parameter`);
    return String(values[name]);
  });
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
    properties: params,
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
