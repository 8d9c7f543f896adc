import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.ts';
import {
  parseSettingsFile,
  resolveSettings,
  type SettingLookup,
  type SettingSpec,
  type Sourced,
  type YamlParse,
} from '../core/settings.ts';
import { parseModuleList } from '../modules/load.ts';
import { AGENT_DEFAULT_LISTEN_PORT, AGENT_LONG_POLL_MAX_SECONDS } from '../protocol/agent-constants.ts';
import { AGENT_DEFAULTS, ENROL_TOKEN_ENV } from './defaults.ts';
import type { AgentConfig } from './runtime.ts';
import { DEVICE_ID_PATTERN } from './state-file.ts';

/** The flags of `taskwarden agent`, as commander hands them over. */
export interface AgentFlags {
  /** YAML file with a key per setting of AGENT_SETTINGS; flags override it. */
  config?: string;
  server?: string;
  enrol?: string;
  enrolFile?: string;
  data?: string;
  name?: string;
  tags?: string;
  /** `--listen` alone is true (default port), `--listen 8000` is the text. */
  listen?: string | boolean;
  listenHost?: string;
  wakeUrl?: string;
  concurrency?: string;
  longPoll?: string;
  deviceId?: string;
  packageRoot?: string;
  modules?: string;
}

/**
 * The agent's settings: a flag each, and the same key in its config file (`--config FILE`,
 * what `taskwarden agent install` writes). A flag beats the file. The enrolment token itself
 * is never a key: the file names the token's file (`enrolFile`).
 */
// biome-ignore format: one row per setting, one line each
export const AGENT_SETTINGS: readonly SettingSpec[] = [
  { key: 'server', flag: '--server', default: 'the one in <data>/agent.json', doc: 'server URL; needed to enrol' },
  { key: 'enrolFile', flag: '--enrol-file', default: 'none', doc: 'file holding the enrolment token (needed only the first time)' },
  { key: 'data', flag: '--data', default: AGENT_DEFAULTS.data, doc: 'agent folder: credential, event spool, file cache' },
  { key: 'name', flag: '--name', default: 'host name', doc: 'name shown in the server' },
  { key: 'tags', flag: '--tags', default: 'none', doc: 'tags to ask for (an administrator may adopt them)' },
  { key: 'listen', flag: '--listen', default: 'off', doc: 'listen for push wakes: true or a port' },
  { key: 'listenHost', flag: '--listen-host', default: AGENT_DEFAULTS.listenHost, doc: 'address to listen on' },
  { key: 'wakeUrl', flag: '--wake-url', default: 'http://<listen-host>:<port>', doc: 'URL the server should wake this agent at' },
  { key: 'concurrency', flag: '--concurrency', default: String(AGENT_DEFAULTS.concurrency), doc: 'jobs run at once' },
  { key: 'longPoll', flag: '--long-poll', default: '60 (0 with listen)', doc: 'seconds a contact waits for work' },
  { key: 'deviceId', flag: '--device-id', default: 'generated once', doc: 'stable id of this machine' },
  { key: 'modules', flag: '--modules', env: 'TASKWARDEN_MODULES', default: 'none', doc: 'extra module packages (names or paths, comma-separated), as for the server' },
  { key: 'packageRoot', flag: '--package-root', default: '<data>/packages', doc: 'folder deploy packages extract relative paths under' },
];

/**
 * Flags and config file to a runtime config; every bad value is a ValidationError naming
 * its flag or `FILE: key`. A pull agent long-polls (answers within a second of work
 * appearing, also behind NAT); a push agent (`--listen`) is woken instead and contacts
 * every `contactSeconds` otherwise.
 */
export function resolveAgentConfig(
  flags: AgentFlags,
  cwd: string,
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): AgentConfig {
  // Only the settings with a variable (modules) read the environment.
  const setting = resolveSettings(AGENT_SETTINGS, { flags: { ...flags }, env, file: readConfigFile(flags, cwd) });
  const listenSetting = setting('listen');
  const listen = listenSetting === null || listenSetting.value === 'false' ? null : parseListen(listenSetting, setting);
  const dataDir = folder(setting('data') ?? { value: AGENT_DEFAULTS.data, source: '--data' }, cwd);
  const optional = <T>(key: string, parse: (given: Sourced) => T): T | undefined => {
    const given = setting(key);
    return given === null ? undefined : parse(given);
  };
  const modules = optional('modules', (given) => parseModuleList(given.value, given.source, cwd));
  const longPoll = optional('longPoll', (given) => int(given, 0, AGENT_LONG_POLL_MAX_SECONDS));
  return {
    dataDir,
    packageRoot: optional('packageRoot', (given) => resolve(cwd, nonEmpty(given))) ?? join(dataDir, 'packages'),
    server: optional('server', parseUrl),
    enrolToken: enrolTokenOf(flags.enrol, setting('enrolFile'), cwd, env),
    deviceId: optional('deviceId', parseDeviceId),
    name: optional('name', parseName),
    tags: optional('tags', parseTags),
    listen,
    concurrency: optional('concurrency', (given) => int(given, 1, 100)) ?? AGENT_DEFAULTS.concurrency,
    longPollSeconds: longPoll ?? (listen ? 0 : AGENT_LONG_POLL_MAX_SECONDS),
    version,
    ...(modules ? { modules } : {}),
  };
}

function readConfigFile(flags: AgentFlags, cwd: string): Map<string, Sourced> {
  if (flags.config === undefined) return new Map();
  const path = resolve(cwd, flags.config);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ValidationError('--config', `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  // yaml is required here, not imported: an agent started without a config file never loads it.
  const { parse } = createRequire(import.meta.url)('yaml') as { parse: YamlParse };
  return parseSettingsFile(text, path, AGENT_SETTINGS, parse);
}

function parseListen(given: Sourced, setting: SettingLookup): NonNullable<AgentConfig['listen']> {
  const port = given.value === 'true' ? AGENT_DEFAULT_LISTEN_PORT : int(given, 0, 65535);
  const wakeUrl = setting('wakeUrl');
  return {
    host: nonEmpty(setting('listenHost') ?? { value: AGENT_DEFAULTS.listenHost, source: '--listen-host' }),
    port,
    wakeUrl: wakeUrl === null ? undefined : parseUrl(wakeUrl),
  };
}

function parseUrl({ value: text, source }: Sourced): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError(source, `"${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ValidationError(source, 'must be http:// or https://');
  if (text.length > 300) throw new ValidationError(source, 'must be at most 300 characters');
  return text.replace(/\/+$/, '');
}

/**
 * The enrolment token: `--enrol TOKEN` (kept for compatibility: other local users see it in
 * ps), `--enrol-file PATH` or the config file's `enrolFile` (its first line), else the
 * TASKWARDEN_ENROL_TOKEN variable.
 */
function enrolTokenOf(
  onCommandLine: string | undefined,
  file: Sourced | null,
  cwd: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (onCommandLine !== undefined && file !== null) {
    throw new ValidationError(file.source, 'give the enrolment token one way only (not with --enrol)');
  }
  if (onCommandLine !== undefined) return parseToken(onCommandLine, '--enrol');
  if (file !== null) return parseToken(readTokenFile(resolve(cwd, file.value), file.source), file.source);
  const fromEnv = env[ENROL_TOKEN_ENV]?.trim();
  return fromEnv ? parseToken(fromEnv, ENROL_TOKEN_ENV) : undefined;
}

function readTokenFile(path: string, source: string): string {
  try {
    return (readFileSync(path, 'utf8').split('\n')[0] ?? '').trim();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ValidationError(source, `cannot read ${path} (${reason})`);
  }
}

function parseToken(text: string, source: string): string {
  if (text.length < 8 || text.length > 200)
    throw new ValidationError(source, 'must be an enrolment token (8-200 characters)');
  return text;
}

function parseDeviceId({ value, source }: Sourced): string {
  if (!DEVICE_ID_PATTERN.test(value)) throw new ValidationError(source, 'must be 1-200 of A-Z a-z 0-9 . _ : @ -');
  return value;
}

function parseName({ value, source }: Sourced): string {
  if (value.trim() === '' || value.length > 200) throw new ValidationError(source, 'must be 1-200 characters');
  return value;
}

function parseTags({ value, source }: Sourced): string[] {
  const tags = value.split(',').map((t) => t.trim());
  if (tags.some((t) => t === '' || t.length > 100)) {
    throw new ValidationError(source, 'must be a comma-separated list of tags of 1-100 characters');
  }
  if (tags.length > 50) throw new ValidationError(source, 'at most 50 tags');
  return [...new Set(tags)];
}

function int({ value, source }: Sourced, min: number, max: number): number {
  const n = /^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!(n >= min && n <= max)) throw new ValidationError(source, `"${value}" is not a number from ${min} to ${max}`);
  return n;
}

/**
 * The agent's folder, which may not exist yet but may not be a file: the default
 * `./taskwarden-agent` is also the name of the single-file agent, run from its own folder.
 */
function folder(given: Sourced, cwd: string): string {
  const path = resolve(cwd, nonEmpty(given));
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === false)
    throw new ValidationError(given.source, `${path} is a file, not a folder: name the agent's folder with --data`);
  return path;
}

function nonEmpty({ value, source }: Sourced): string {
  if (value.trim() === '') throw new ValidationError(source, 'must not be empty');
  return value;
}
