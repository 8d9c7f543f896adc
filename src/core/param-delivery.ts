import { fieldPath, ValidationError } from './errors.ts';

/**
 * How a catalog parameter reaches its program, and whether its value is a secret. Three
 * keywords beside the parameter's JSON schema:
 *   secret: true      the value is never logged nor shown by the API (`***` instead)
 *   env: "NAME"       passed as the environment variable NAME instead of an argv element
 *   stdin: true       written to the program's standard input (then a newline, then EOF)
 * A parameter passed through env or stdin has no `{placeholder}` in argv: the point is
 * that it never appears on a command line, which every user of the machine can read.
 */
export interface ParamDelivery {
  secret: boolean;
  env: string | null;
  stdin: boolean;
}

/** What the API shows instead of a secret value; written back, it keeps the stored one. */
export const SECRET_MASK = '***';
export const DELIVERY_KEYWORDS: readonly string[] = ['secret', 'env', 'stdin'];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/**
 * Variables that decide which program runs or what it loads (or that the runner sets
 * itself): an operator's value in one of them would run code of his choosing.
 */
const RESERVED_ENV = new Set([
  'PATH',
  'HOME',
  'LANG',
  'LANGUAGE',
  'IFS',
  'ENV',
  'BASH_ENV',
  'CDPATH',
  'GLOBIGNORE',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  'NODE_OPTIONS',
  'NODE_PATH',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONSTARTUP',
  'PERL5LIB',
  'PERL5OPT',
  'PERLLIB',
  'RUBYLIB',
  'RUBYOPT',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'GCONV_PATH',
  'GLIBC_TUNABLES',
  'HOSTALIASES',
  'LOCPATH',
  'NLSPATH',
  'TMPDIR',
]);
const RESERVED_ENV_PREFIXES = ['LD_', 'DYLD_', 'LC_', 'BASH_FUNC_', 'MALLOC_'];

/** The delivery of a stored (already validated) parameter schema. */
export function deliveryOf(schema: Record<string, unknown>): ParamDelivery {
  return {
    secret: schema['secret'] === true,
    env: typeof schema['env'] === 'string' ? schema['env'] : null,
    stdin: schema['stdin'] === true,
  };
}

/** The parameter's JSON schema without the delivery keywords, for the validator. */
export function valueSchema(schema: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !DELIVERY_KEYWORDS.includes(key)));
}

/** Checks one parameter's delivery keywords (the schema's other keywords are checked by the catalog). */
export function checkDelivery(schema: Record<string, unknown>, field: string): void {
  for (const key of ['secret', 'stdin']) {
    if (key in schema && typeof schema[key] !== 'boolean') {
      throw new ValidationError(fieldPath(field, key), 'must be true or false');
    }
  }
  if ('env' in schema) checkEnvName(schema['env'], fieldPath(field, 'env'));
  const delivery = deliveryOf(schema);
  if (delivery.env !== null && delivery.stdin) {
    throw new ValidationError(field, 'a parameter is passed through env or stdin, not both');
  }
  if (delivery.secret) {
    if (schema['type'] !== 'string') throw new ValidationError(fieldPath(field, 'type'), 'a secret is a string');
    // The catalog is readable by every viewer of the org.
    if ('default' in schema)
      throw new ValidationError(field, 'a secret cannot have a default (viewers read the catalog)');
    if ('enum' in schema) throw new ValidationError(field, 'a secret has no enum (viewers read the catalog)');
  }
}

function checkEnvName(name: unknown, field: string): void {
  if (typeof name !== 'string' || !ENV_NAME.test(name)) {
    throw new ValidationError(field, 'must be a variable name: letters, digits and "_", not starting with a digit');
  }
  const upper = name.toUpperCase();
  if (RESERVED_ENV.has(upper) || RESERVED_ENV_PREFIXES.some((prefix) => upper.startsWith(prefix))) {
    throw new ValidationError(field, `"${name}" decides what a program runs or loads; pick another name`);
  }
}

/** Across a command's parameters: each variable named once, at most one reads standard input. */
export function checkDeliveries(deliveries: Record<string, ParamDelivery>, field: string): void {
  const envs = new Map<string, string>();
  let stdin: string | null = null;
  for (const [name, delivery] of Object.entries(deliveries)) {
    const at = fieldPath(field, name);
    if (delivery.env !== null) {
      const other = envs.get(delivery.env);
      if (other !== undefined) throw new ValidationError(fieldPath(at, 'env'), `"${delivery.env}" is ${other}'s too`);
      envs.set(delivery.env, name);
    }
    if (delivery.stdin) {
      if (stdin !== null)
        throw new ValidationError(fieldPath(at, 'stdin'), `only one parameter reads stdin (${stdin})`);
      stdin = name;
    }
  }
}

/**
 * Values shorter than this are not masked inside a program's output lines: replacing every
 * "ab" would garble the log and point at the value all the same. The argv, env and stdin
 * echo masks them whatever their length.
 */
export const MIN_MASKED_LENGTH = 4;

/** `line` with every occurrence of a secret value replaced by `***` (longest values first). */
export function maskSecrets(line: string, secrets: readonly string[]): string {
  let masked = line;
  const longestFirst = secrets.filter((s) => s.length >= MIN_MASKED_LENGTH).sort((a, b) => b.length - a.length);
  for (const secret of longestFirst) masked = masked.replaceAll(secret, SECRET_MASK);
  return masked;
}
