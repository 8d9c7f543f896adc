import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.ts';
import { AGENT_DEFAULT_LISTEN_PORT, AGENT_LONG_POLL_MAX_SECONDS } from '../protocol/agent-constants.ts';
import { AGENT_DEFAULTS, ENROL_TOKEN_ENV } from './defaults.ts';
import type { AgentConfig } from './runtime.ts';
import { DEVICE_ID_PATTERN } from './state-file.ts';

/** The flags of `taskwarden agent`, as commander hands them over. */
export interface AgentFlags {
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
}

/**
 * Flags to a runtime config; every bad value is a ValidationError naming its flag. A pull
 * agent long-polls (answers within a second of work appearing, also behind NAT); a push
 * agent (`--listen`) is woken instead and contacts every `contactSeconds` otherwise.
 */
export function resolveAgentConfig(
  flags: AgentFlags,
  cwd: string,
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): AgentConfig {
  const listen = flags.listen === undefined ? null : parseListen(flags);
  const dataDir = resolve(cwd, nonEmpty(flags.data ?? AGENT_DEFAULTS.data, '--data'));
  return {
    dataDir,
    packageRoot:
      flags.packageRoot === undefined
        ? join(dataDir, 'packages')
        : resolve(cwd, nonEmpty(flags.packageRoot, '--package-root')),
    server: flags.server === undefined ? undefined : parseUrl(flags.server, '--server'),
    enrolToken: enrolTokenOf(flags, cwd, env),
    deviceId: flags.deviceId === undefined ? undefined : parseDeviceId(flags.deviceId),
    name: flags.name === undefined ? undefined : parseName(flags.name),
    tags: flags.tags === undefined ? undefined : parseTags(flags.tags),
    listen,
    concurrency:
      flags.concurrency === undefined ? AGENT_DEFAULTS.concurrency : int(flags.concurrency, '--concurrency', 1, 100),
    longPollSeconds:
      flags.longPoll === undefined
        ? listen
          ? 0
          : AGENT_LONG_POLL_MAX_SECONDS
        : int(flags.longPoll, '--long-poll', 0, AGENT_LONG_POLL_MAX_SECONDS),
    version,
  };
}

function parseListen(flags: AgentFlags): NonNullable<AgentConfig['listen']> {
  const port = flags.listen === true ? AGENT_DEFAULT_LISTEN_PORT : int(String(flags.listen), '--listen', 0, 65535);
  return {
    host: nonEmpty(flags.listenHost ?? AGENT_DEFAULTS.listenHost, '--listen-host'),
    port,
    wakeUrl: flags.wakeUrl === undefined ? undefined : parseUrl(flags.wakeUrl, '--wake-url'),
  };
}

function parseUrl(text: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError(flag, `"${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ValidationError(flag, 'must be http:// or https://');
  if (text.length > 300) throw new ValidationError(flag, 'must be at most 300 characters');
  return text.replace(/\/+$/, '');
}

/**
 * The enrolment token: `--enrol TOKEN` (kept for compatibility: other local users see it in
 * ps), `--enrol-file PATH` (its first line), else the TASKWARDEN_ENROL_TOKEN variable.
 */
function enrolTokenOf(flags: AgentFlags, cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  if (flags.enrol !== undefined && flags.enrolFile !== undefined) {
    throw new ValidationError('--enrol-file', 'give the enrolment token one way only (not with --enrol)');
  }
  if (flags.enrol !== undefined) return parseToken(flags.enrol, '--enrol');
  if (flags.enrolFile !== undefined) return parseToken(readTokenFile(resolve(cwd, flags.enrolFile)), '--enrol-file');
  const fromEnv = env[ENROL_TOKEN_ENV]?.trim();
  return fromEnv ? parseToken(fromEnv, ENROL_TOKEN_ENV) : undefined;
}

function readTokenFile(path: string): string {
  try {
    return (readFileSync(path, 'utf8').split('\n')[0] ?? '').trim();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ValidationError('--enrol-file', `cannot read ${path} (${reason})`);
  }
}

function parseToken(text: string, source: string): string {
  if (text.length < 8 || text.length > 200)
    throw new ValidationError(source, 'must be an enrolment token (8-200 characters)');
  return text;
}

function parseDeviceId(text: string): string {
  if (!DEVICE_ID_PATTERN.test(text)) throw new ValidationError('--device-id', 'must be 1-200 of A-Z a-z 0-9 . _ : @ -');
  return text;
}

function parseName(text: string): string {
  if (text.trim() === '' || text.length > 200) throw new ValidationError('--name', 'must be 1-200 characters');
  return text;
}

function parseTags(text: string): string[] {
  const tags = text.split(',').map((t) => t.trim());
  if (tags.some((t) => t === '' || t.length > 100)) {
    throw new ValidationError('--tags', 'must be a comma-separated list of tags of 1-100 characters');
  }
  if (tags.length > 50) throw new ValidationError('--tags', 'at most 50 tags');
  return [...new Set(tags)];
}

function int(text: string, flag: string, min: number, max: number): number {
  const value = /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(value >= min && value <= max))
    throw new ValidationError(flag, `"${text}" is not a number from ${min} to ${max}`);
  return value;
}

function nonEmpty(text: string, flag: string): string {
  if (text.trim() === '') throw new ValidationError(flag, 'must not be empty');
  return text;
}
