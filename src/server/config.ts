import { join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.ts';
import { DEFAULT_BODY_LIMIT } from './app.ts';

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
}

export interface ServerFlags {
  data?: string | undefined;
  db?: string | undefined;
  port?: string | undefined;
  host?: string | undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const DEFAULTS = { data: './taskwarden-data', host: '127.0.0.1', port: 8080 } as const;

/**
 * The Contract's precedence: a flag beats its environment variable, which beats the default
 * (`--data`/TASKWARDEN_DATA ./taskwarden-data, `--db`/TASKWARDEN_DB sqlite:<data>/taskwarden.db,
 * `--host`/TASKWARDEN_HOST 127.0.0.1, `--port`/TASKWARDEN_PORT 8080; TASKWARDEN_LOG_LEVEL info).
 * Errors name the flag or variable the bad value came from.
 */
export function resolveServerConfig(flags: ServerFlags, env: NodeJS.ProcessEnv, cwd: string): ServerConfig {
  const data = pick(flags.data, '--data', env, 'TASKWARDEN_DATA');
  const dataDir = resolve(cwd, nonEmpty(data, DEFAULTS.data));
  const db = pick(flags.db, '--db', env, 'TASKWARDEN_DB');
  const host = pick(flags.host, '--host', env, 'TASKWARDEN_HOST');
  const port = pick(flags.port, '--port', env, 'TASKWARDEN_PORT');
  const level = pick(undefined, '', env, 'TASKWARDEN_LOG_LEVEL');
  return {
    dataDir,
    dbUrl: db ? nonEmpty(db, '') : `sqlite:${join(dataDir, 'taskwarden.db')}`,
    host: host ? nonEmpty(host, '') : DEFAULTS.host,
    port: port ? parsePort(port.value, port.source) : DEFAULTS.port,
    logLevel: level ? parseLogLevel(level.value, level.source) : 'info',
    bodyLimit: DEFAULT_BODY_LIMIT,
  };
}

interface Sourced {
  value: string;
  source: string;
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

function parsePort(text: string, source: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new ValidationError(source, `"${text}" is not a port (0-65535)`);
  return port;
}

function parseLogLevel(text: string, source: string): LogLevel {
  if (!LOG_LEVELS.includes(text as LogLevel)) {
    throw new ValidationError(source, `"${text}" is not a log level (${LOG_LEVELS.join(', ')})`);
  }
  return text as LogLevel;
}
