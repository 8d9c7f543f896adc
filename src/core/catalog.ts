import { type CatalogAuthor, type CatalogOptions, catalogOptionsFor, type RunsOn } from './catalog-authors.ts';
import { PLACEHOLDER } from './catalog-render.ts';
import { parseDuration } from './duration.ts';
import { fieldPath, TaskwardenError, ValidationError } from './errors.ts';
import { compileSchema, forgetSchema, type SchemaValidator } from './json-schema.ts';
import {
  checkDeliveries,
  checkDelivery,
  DELIVERY_KEYWORDS,
  deliveryOf,
  type ParamDelivery,
  valueSchema,
} from './param-delivery.ts';
import type { CatalogCommand } from './ports/store.ts';
import { isPrintable, PRINTABLE_HINT } from './printable.ts';

export { type Invocation, renderArgv, renderInvocation } from './catalog-render.ts';

/**
 * The command catalog's rules (Taskomatic: only predefined commands may run). A command is
 * an argv template; each `{param}` is a whole argv element, typed by a small JSON schema,
 * and is replaced by exactly one argument. Nothing ever goes through a shell, so a value
 * like `$(id)` or `; rm -rf /` reaches the program as that literal text. A param may go
 * through the environment or stdin instead, and be secret (param-delivery.ts).
 */

export type CatalogCommandInput = Omit<CatalogCommand, 'id' | 'orgId' | 'createdAt' | 'updatedAt'>;

const COMMAND_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
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

export function parseCatalogCommand(input: unknown, author: CatalogAuthor, field = 'command'): CatalogCommandInput {
  const options = catalogOptionsFor(author);
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
  const runsOn = parseRunsOn(obj['runsOn'] ?? options.defaultRunsOn, options, fieldPath(field, 'runsOn'));
  const timeoutSeconds = parseDuration(obj['timeout'] ?? DEFAULT_TIMEOUT, fieldPath(field, 'timeout'), { min: 1 });
  return { name, description, argv, params, runsOn, timeoutSeconds, definedByAdmin: author.globalAdmin };
}

function parseRunsOn(value: unknown, options: CatalogOptions, field: string): RunsOn {
  if (!RUNS_ON.includes(value as never)) throw new ValidationError(field, `must be one of ${RUNS_ON.join(', ')}`);
  if (value !== 'agent' && !options.serverCommands) {
    throw new TaskwardenError(
      'global_admin_only',
      `${field}: only the global admin defines commands that run on the server ("server" or "both"); ` +
        `an org-admin's commands run on the org's agents ("agent")`,
      { field },
    );
  }
  return value as RunsOn;
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
  checkDeliveries(Object.fromEntries(Object.entries(params).map(([n, s]) => [n, deliveryOf(s)])), field);
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
    if (COMMON_KEYWORDS.has(key) || typed.has(key) || DELIVERY_KEYWORDS.includes(key)) continue;
    const applies = STRING_KEYWORDS.has(key) || NUMBER_KEYWORDS.has(key);
    throw new ValidationError(
      fieldPath(field, key),
      applies
        ? `does not apply to type ${type}`
        : 'is not allowed (use type, pattern, enum, minLength, maxLength, minimum, maximum, default, description, secret, env, stdin)',
    );
  }
  checkKeywordValues(schema, field);
  checkDelivery(schema, field);
  const checked = valueSchema(schema);
  let validate: SchemaValidator;
  try {
    validate = compileSchema(checked, { useDefaults: false });
  } catch (err) {
    throw new ValidationError(field, `is not a valid schema: ${(err as Error).message}`);
  } finally {
    forgetSchema(checked);
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
    const at = fieldPath(fieldPath(field, 'argv'), i);
    const schema = params[name];
    if (!schema) throw new ValidationError(at, `{${name}} has no schema in params`);
    const hidden = passedBeside(deliveryOf(schema));
    if (hidden) throw new ValidationError(at, `{${name}} is passed through ${hidden}, so it cannot be an argument too`);
    used.add(name);
  });
  for (const [name, schema] of Object.entries(params)) {
    if (!used.has(name) && !passedBeside(deliveryOf(schema))) {
      throw new ValidationError(
        fieldPath(fieldPath(field, 'params'), name),
        `is not used in argv (add "{${name}}", or pass it with "env" or "stdin")`,
      );
    }
  }
}

/** Where a parameter goes instead of argv, if it does. */
function passedBeside(delivery: ParamDelivery): string | null {
  if (delivery.env !== null) return `the environment (${delivery.env})`;
  return delivery.stdin ? 'stdin' : null;
}
