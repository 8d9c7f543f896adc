import { ValidationError } from './errors.ts';

/**
 * One setting of a program (the server, the agent): its key in the config file, and the
 * flag and environment variable that may set it too. The tables of these rows are the one
 * place a setting is declared; the README's configuration table is checked against them.
 */
export interface SettingSpec {
  /** Key in the YAML config file; a dot nests it (`tls.cert` is `tls: {cert: …}`). */
  key: string;
  /** Command-line flag, e.g. `--port`; absent = none. */
  flag?: string;
  /** Environment variable; absent = none. */
  env?: string;
  /** The default as the README shows it. */
  default: string;
  /** What it sets, for the README table. */
  doc: string;
}

/** A value given for a setting and where it came from (a flag, a variable, `FILE: key`), for error messages. */
export interface Sourced {
  value: string;
  source: string;
}

export interface SettingInputs {
  /** Values of the flags given, by flag name without dashes, camel-cased as commander does (`--trust-proxy` → trustProxy). */
  flags: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** The config file's settings by key (parseSettingsFile), or empty. */
  file: Map<string, Sourced>;
}

/** Looks a setting up with the precedence flag > environment > config file > default (null). */
export type SettingLookup = (key: string) => Sourced | null;

export function resolveSettings(specs: readonly SettingSpec[], inputs: SettingInputs): SettingLookup {
  const byKey = new Map(specs.map((spec) => [spec.key, spec]));
  return (key) => {
    const spec = byKey.get(key);
    if (!spec) throw new Error(`unknown setting ${key}`);
    const flag = spec.flag === undefined ? undefined : inputs.flags[flagProperty(spec.flag)];
    if (typeof flag === 'string') return { value: flag, source: spec.flag as string };
    if (flag === true) return { value: 'true', source: spec.flag as string };
    const fromEnv = spec.env === undefined ? undefined : inputs.env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: spec.env as string };
    return inputs.file.get(key) ?? null;
  };
}

/** `--trust-proxy` → `trustProxy`, the property commander gives the flag's value under. */
export function flagProperty(flag: string): string {
  return flag.replace(/^-+/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** yaml's `parse`, passed in: the agent loads that package only when it has a config file to read. */
export type YamlParse = (text: string, options: { maxAliasCount: number }) => unknown;

/**
 * A YAML config file's settings: a mapping of the specs' keys (nested for dotted keys), with
 * scalar values, or a list for a comma-separated setting. An unknown key, or a value of
 * the wrong kind, is a ValidationError naming the file and the key.
 */
export function parseSettingsFile(
  text: string,
  fileName: string,
  specs: readonly SettingSpec[],
  parseYaml: YamlParse,
): Map<string, Sourced> {
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new ValidationError(fileName, `is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const settings = new Map<string, Sourced>();
  if (data === null || data === undefined) return settings;
  if (!isMapping(data)) throw new ValidationError(fileName, 'must be a mapping of settings (key: value)');
  const known = new Set(specs.map((spec) => spec.key));
  const prefixes = new Set(specs.flatMap((spec) => parentsOf(spec.key)));
  const visit = (node: Record<string, unknown>, path: string) => {
    for (const [name, value] of Object.entries(node)) {
      const key = path ? `${path}.${name}` : name;
      const source = `${fileName}: ${key}`;
      if (prefixes.has(key) && isMapping(value)) {
        visit(value, key);
      } else if (!known.has(key)) {
        throw new ValidationError(source, `is not a setting (known: ${[...known].join(', ')})`);
      } else if (value !== null) {
        settings.set(key, { value: scalarText(value, source), source });
      }
    }
  };
  visit(data, '');
  return settings;
}

function parentsOf(key: string): string[] {
  const parts = key.split('.');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'));
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarText(value: unknown, source: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.join(',');
  }
  throw new ValidationError(source, 'must be a string, a number, true/false or a list of strings');
}
