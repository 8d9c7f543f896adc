import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CRASH_POINTS, type CrashPoint } from '../core/crash-points.ts';
import { parseDuration } from '../core/duration.ts';
import { ValidationError } from '../core/errors.ts';
import { parseSettingsFile, resolveSettings, type SettingLookup, type Sourced } from '../core/settings.ts';
import { type ModuleList, parseModuleList } from '../modules/load.ts';
import { DEFAULT_BODY_LIMIT, type TrustProxy } from './app.ts';
import { parseFusionInventoryPath } from './fusioninventory/path.ts';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http-limits.ts';
import { type NotifyConfig, resolveNotifyConfig } from './notify/config.ts';
import { CONFIG_ENV, CONFIG_FLAG, SERVER_SETTINGS } from './settings.ts';

/** Where the server keeps its data, where it listens, how much it logs. */
export interface ServerConfig {
  /** Absolute path of the data folder (SQLite file, admin.token). */
  dataDir: string;
  dbUrl: string;
  host: string;
  /** 0 = any free port. */
  port: number;
  logLevel: LogLevel;
  bodyLimit: number;
  /** Largest package upload in bytes (TASKWARDEN_PACKAGE_LIMIT: bytes or 512K, 300M, 2G); default 256 MiB. */
  packageLimit?: number;
  /**
   * Test only (TASKWARDEN_TEST_CLOCK_SKEW_MS, integer ms, may be negative): this node's own
   * clock runs that far off, as a badly set machine clock would. Cluster tests use it to
   * show that nodes on PostgreSQL fire on the database clock, not on their own.
   */
  testClockSkewMs?: number;
  /**
   * Test only (TASKWARDEN_TEST_CRASH_AT, one of CRASH_POINTS): the process kills itself with
   * SIGKILL when it gets there, so fault tests hit windows of a few microseconds.
   */
  testCrashAt?: CrashPoint;
  /** Where FusionInventory agents are served (TASKWARDEN_FI_PATH); default /plugins/fusioninventory/. */
  fusionInventoryPath?: string;
  /** The hardening settings (HARDENING_VARIABLES below); default DEFAULT_HTTP_LIMITS. */
  httpLimits?: HttpLimits;
  /** The reverse proxies to believe (`--trust-proxy`, TASKWARDEN_TRUST_PROXY); absent = none. */
  trustProxy?: TrustProxy;
  /** Catch-up runs started per second at most after an outage (TASKWARDEN_CATCHUP_RATE); default 10. */
  catchUpPerSecond?: number;
  /**
   * How long past an agent job's timeout the server waits for the agent's own report before
   * giving up on the attempt (TASKWARDEN_AGENT_GRACE: seconds or a duration); default 60 s.
   */
  agentGraceMs?: number;
  /** PostgreSQL's lock_timeout for the store's sessions (TASKWARDEN_DB_LOCK_TIMEOUT); default 3 s. */
  dbLockTimeoutMs?: number;
  /** Webhook allow list, mail server, public URL, digest window (server/notify/config.ts); default none set. */
  notifications?: NotifyConfig;
  /** HTTPS: PEM files, read at start and again on SIGHUP (`tls.cert`, `tls.key`); absent = plain HTTP. */
  tls?: { certFile: string; keyFile: string };
  /** The URL agents and browsers reach the server at (`publicUrl`); absent = the URL each request came to. */
  publicUrl?: string;
  /** Extra module packages (`modules`, TASKWARDEN_MODULES); absent = the built-in ones only. */
  modules?: ModuleList;
  /** Test only (TASKWARDEN_TEST_MODULES=1): also the modules for tests (noop, noop-serial). */
  testModules?: boolean;
}

/** The flags of `taskwarden server`, as commander hands them over (see SERVER_SETTINGS). */
export interface ServerFlags {
  config?: string | undefined;
  data?: string | undefined;
  db?: string | undefined;
  port?: string | undefined;
  host?: string | undefined;
  trustProxy?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  logLevel?: string | undefined;
  publicUrl?: string | undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const DEFAULTS = { data: './taskwarden-data', host: '127.0.0.1', port: 8080 } as const;

/**
 * Every setting of SERVER_SETTINGS with the precedence flag > environment variable > config
 * file (`--config FILE` or TASKWARDEN_CONFIG, YAML) > default. Relative paths are relative to
 * `cwd`. Errors name the flag, variable or `FILE: key` the bad value came from.
 */
export function resolveServerConfig(flags: ServerFlags, env: NodeJS.ProcessEnv, cwd: string): ServerConfig {
  const setting = resolveSettings(SERVER_SETTINGS, { flags: { ...flags }, env, file: readConfigFile(flags, env, cwd) });
  const dataDir = resolve(cwd, nonEmpty(setting('data'), DEFAULTS.data));
  const db = setting('db');
  const host = setting('host');
  const port = setting('port');
  const level = setting('logLevel');
  const packageLimit = setting('packageLimit');
  const skew = pick(undefined, '', env, 'TASKWARDEN_TEST_CLOCK_SKEW_MS');
  const crashAt = pick(undefined, '', env, 'TASKWARDEN_TEST_CRASH_AT');
  const modules = setting('modules');
  const fiPath = setting('fiPath');
  const proxies = setting('trustProxy');
  const trustProxy = proxies ? parseTrustProxy(proxies.value, proxies.source) : undefined;
  const catchUpRate = setting('catchUpRate');
  const agentGrace = setting('agentGrace');
  const dbLockTimeout = setting('dbLockTimeout');
  const tls = resolveTls(setting('tls.cert'), setting('tls.key'), cwd);
  const givenPublicUrl = setting('publicUrl');
  const publicUrl = givenPublicUrl ? parsePublicUrl(givenPublicUrl) : undefined;
  // The notification settings by the names their resolver reads, wherever each came from;
  // the public URL as checked above (its mistakes are reported once, by parsePublicUrl).
  const notifications = resolveNotifyConfig({
    ...Object.fromEntries(
      SERVER_SETTINGS.filter((spec) => spec.env !== undefined && /^(webhooks|smtp|notify)\./.test(spec.key)).map(
        (spec) => [spec.env, setting(spec.key)?.value],
      ),
    ),
    TASKWARDEN_PUBLIC_URL: publicUrl,
  });
  return {
    dataDir,
    dbUrl: db ? nonEmpty(db, '') : `sqlite:${join(dataDir, 'taskwarden.db')}`,
    host: host ? nonEmpty(host, '') : DEFAULTS.host,
    port: port ? parsePort(port.value, port.source) : DEFAULTS.port,
    logLevel: level ? parseLogLevel(level.value, level.source) : 'info',
    bodyLimit: DEFAULT_BODY_LIMIT,
    ...(packageLimit ? { packageLimit: parseSize(packageLimit.value, packageLimit.source) } : {}),
    ...(skew ? { testClockSkewMs: parseSkew(skew.value, skew.source) } : {}),
    ...(crashAt ? { testCrashAt: parseCrashPoint(crashAt.value, crashAt.source) } : {}),
    ...(fiPath ? { fusionInventoryPath: parseFusionInventoryPath(fiPath.value, fiPath.source) } : {}),
    httpLimits: resolveHttpLimits(setting),
    ...(trustProxy ? { trustProxy } : {}),
    ...(catchUpRate ? { catchUpPerSecond: parseRate(catchUpRate.value, catchUpRate.source) } : {}),
    ...(agentGrace ? { agentGraceMs: parseDuration(agentGrace.value, agentGrace.source, { min: 1 }) * 1000 } : {}),
    ...(dbLockTimeout
      ? { dbLockTimeoutMs: parseDuration(dbLockTimeout.value, dbLockTimeout.source, { min: 1 }) * 1000 }
      : {}),
    ...(notifications ? { notifications } : {}),
    ...(tls ? { tls } : {}),
    ...(publicUrl ? { publicUrl } : {}),
    ...(modules ? { modules: parseModuleList(modules.value, modules.source, cwd) } : {}),
    ...(env['TASKWARDEN_TEST_MODULES'] === '1' ? { testModules: true } : {}),
  };
}

function readConfigFile(flags: ServerFlags, env: NodeJS.ProcessEnv, cwd: string): Map<string, Sourced> {
  const given = pick(flags.config, CONFIG_FLAG, env, CONFIG_ENV);
  if (!given) return new Map();
  const path = resolve(cwd, nonEmpty(given, ''));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ValidationError(given.source, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  return parseSettingsFile(text, path, SERVER_SETTINGS, parseYaml);
}

/** Both PEM files or neither: HTTPS needs the certificate and its key. */
function resolveTls(cert: Sourced | null, key: Sourced | null, cwd: string): ServerConfig['tls'] {
  if (!cert && !key) return undefined;
  if (!cert || !key) {
    const given = (cert ?? key) as Sourced;
    throw new ValidationError(
      given.source,
      `HTTPS needs both tls.cert and tls.key; ${cert ? 'tls.key' : 'tls.cert'} is missing`,
    );
  }
  return { certFile: resolve(cwd, nonEmpty(cert, '')), keyFile: resolve(cwd, nonEmpty(key, '')) };
}

/**
 * The README's "Hardening settings": each setting sets one limit. Timeouts are seconds or
 * a duration (30s, 10m); counts are whole numbers, where 0 turns the connection cap off.
 */
const HARDENING_SETTINGS: Record<string, { limit: keyof HttpLimits; kind: 'duration' | 'count' | 'cap' }> = {
  headersTimeout: { limit: 'headersTimeoutMs', kind: 'duration' },
  bodyTimeout: { limit: 'bodyTimeoutMs', kind: 'duration' },
  uploadTimeout: { limit: 'uploadTimeoutMs', kind: 'duration' },
  maxConnectionsPerAddress: { limit: 'maxConnectionsPerAddress', kind: 'cap' },
  maxEventStreamsPerUser: { limit: 'maxEventStreamsPerUser', kind: 'count' },
  loginAttemptsPerAddress: { limit: 'loginAttemptsPerAddress', kind: 'count' },
  loginFailuresPerName: { limit: 'loginFailuresPerName', kind: 'count' },
  jsonMaxDepth: { limit: 'jsonMaxDepth', kind: 'count' },
};

function resolveHttpLimits(setting: SettingLookup): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS };
  for (const [key, { limit, kind }] of Object.entries(HARDENING_SETTINGS)) {
    const set = setting(key);
    if (!set) continue;
    limits[limit] =
      kind === 'duration'
        ? parseDuration(set.value, set.source, { min: 1 }) * 1000
        : parseCount(set.value, set.source, kind === 'cap' ? 0 : 1);
  }
  return limits;
}

function parseCount(text: string, source: string, min: number): number {
  const count = /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(count >= min)) throw new ValidationError(source, `"${text}" is not a whole number of at least ${min}`);
  return count;
}

function pick(flag: string | undefined, flagName: string, env: NodeJS.ProcessEnv, variable: string): Sourced | null {
  if (flag !== undefined) return { value: flag, source: flagName };
  const fromEnv = env[variable];
  return fromEnv === undefined || fromEnv === '' ? null : { value: fromEnv, source: variable };
}

function nonEmpty(value: Sourced | null, fallback: string): string {
  if (value === null) return fallback;
  if (value.value.trim() === '') throw new ValidationError(value.source, 'must not be empty');
  return value.value;
}

function parseCrashPoint(text: string, source: string): CrashPoint {
  const point = CRASH_POINTS.find((known) => known === text.trim());
  if (!point) throw new ValidationError(source, `"${text}" is not one of ${CRASH_POINTS.join(', ')}`);
  return point;
}

function parsePort(text: string, source: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new ValidationError(source, `"${text}" is not a port (0-65535)`);
  return port;
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** Bytes, or a number with K, M or G (binary multiples). */
function parseSize(text: string, source: string): number {
  const match = /^(\d+)\s*([kmg]?)i?b?$/i.exec(text.trim());
  const bytes = match ? Number(match[1]) * (SIZE_UNITS[(match[2] as string).toLowerCase()] as number) : Number.NaN;
  if (!(bytes >= 1 && Number.isSafeInteger(bytes))) {
    throw new ValidationError(source, `"${text}" is not a size (bytes, or a number with K, M or G)`);
  }
  return bytes;
}

function parseSkew(text: string, source: string): number {
  const ms = /^-?\d{1,12}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(source, `"${text}" is not a whole number of milliseconds`);
  return ms;
}

const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * `false`/`off` (none), `true`/`on` (every peer: only when nothing but the proxy can reach
 * the server), or a comma-separated list of addresses, CIDR ranges and range names.
 */
function parseTrustProxy(text: string, source: string): TrustProxy | undefined {
  const value = text.trim().toLowerCase();
  if (['false', 'off', 'no', 'none'].includes(value)) return undefined;
  if (['true', 'on', 'yes'].includes(value)) return true;
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!isProxyEntry(entry)) {
      throw new ValidationError(
        source,
        `"${entry}" is not an address, a CIDR range or one of ${PROXY_RANGE_NAMES.join(', ')} (or give true or false)`,
      );
    }
  }
  return entries;
}

function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A positive number per second, e.g. 10 or 0.5, up to 10,000. */
function parseRate(text: string, source: string): number {
  const rate = /^\d{1,5}(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(rate > 0 && rate <= 10_000))
    throw new ValidationError(source, `"${text}" is not a rate per second (0 < n ≤ 10000)`);
  return rate;
}

function parseLogLevel(text: string, source: string): LogLevel {
  if (!LOG_LEVELS.includes(text as LogLevel)) {
    throw new ValidationError(source, `"${text}" is not a log level (${LOG_LEVELS.join(', ')})`);
  }
  return text as LogLevel;
}

function parsePublicUrl({ value, source }: Sourced): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username) {
    throw new ValidationError(source, `"${value}" is not an http:// or https:// URL (no query, no user)`);
  }
  return url.href.replace(/\/+$/, '');
}
