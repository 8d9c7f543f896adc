import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseDuration } from '../../core/duration.ts';
import { ValidationError } from '../../core/errors.ts';
import type { NotifyOptions } from '../../engine/notify/delivery-loop.ts';
import { type AllowEntry, parseAllowList } from './allow-list.ts';
import type { SmtpSettings } from './email.ts';

/** The global admin's notification settings (README "Notifications"). */
export interface NotifyConfig {
  /** `webhooks.allow`: where webhooks may go; null = anywhere but loopback, link-local and metadata addresses. */
  webhooks: { allow: AllowEntry[] | null };
  smtp: SmtpSettings | null;
  /** Base URL of the links in messages; null = where the server listens. */
  publicUrl: string | null;
  /** The digest window and first retry wait, when set. */
  delivery: Partial<Pick<NotifyOptions, 'digestWindowMs' | 'retryFirstMs'>>;
}

type Env = NodeJS.ProcessEnv;
const set = (env: Env, name: string): string | undefined => (env[name] === '' ? undefined : env[name]);

const VARIABLES = [
  'TASKWARDEN_WEBHOOK_ALLOW',
  'TASKWARDEN_PUBLIC_URL',
  'TASKWARDEN_NOTIFY_DIGEST',
  'TASKWARDEN_NOTIFY_RETRY',
];

/**
 * Reads TASKWARDEN_WEBHOOK_ALLOW, TASKWARDEN_SMTP_*, TASKWARDEN_PUBLIC_URL, TASKWARDEN_NOTIFY_DIGEST
 * and _RETRY; undefined when none is set (every default applies).
 */
export function resolveNotifyConfig(env: Env): NotifyConfig | undefined {
  if (!Object.entries(env).some(([name, value]) => value && isNotifyVariable(name))) return undefined;
  const allow = set(env, 'TASKWARDEN_WEBHOOK_ALLOW');
  const digest = set(env, 'TASKWARDEN_NOTIFY_DIGEST');
  const retry = set(env, 'TASKWARDEN_NOTIFY_RETRY');
  return {
    webhooks: { allow: allow === undefined ? null : parseAllowList(allow, 'TASKWARDEN_WEBHOOK_ALLOW') },
    smtp: resolveSmtp(env),
    publicUrl: resolvePublicUrl(set(env, 'TASKWARDEN_PUBLIC_URL')),
    delivery: {
      ...(digest === undefined ? {} : { digestWindowMs: parseDuration(digest, 'TASKWARDEN_NOTIFY_DIGEST') * 1000 }),
      ...(retry === undefined
        ? {}
        : { retryFirstMs: parseDuration(retry, 'TASKWARDEN_NOTIFY_RETRY', { min: 1 }) * 1000 }),
    },
  };
}

function isNotifyVariable(name: string): boolean {
  return VARIABLES.includes(name) || name.startsWith('TASKWARDEN_SMTP_');
}

function resolveSmtp(env: Env): SmtpSettings | null {
  const host = set(env, 'TASKWARDEN_SMTP_HOST');
  if (host === undefined) return null;
  const secure = parseBoolean(set(env, 'TASKWARDEN_SMTP_SECURE') ?? 'false', 'TASKWARDEN_SMTP_SECURE');
  const portText = set(env, 'TASKWARDEN_SMTP_PORT');
  const port = portText === undefined ? (secure ? 465 : 587) : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ValidationError('TASKWARDEN_SMTP_PORT', `"${portText}" is not a port (1-65535)`);
  }
  const passwordFile = set(env, 'TASKWARDEN_SMTP_PASSWORD_FILE');
  return {
    host,
    port,
    secure,
    user: set(env, 'TASKWARDEN_SMTP_USER') ?? null,
    password: passwordFile === undefined ? null : readPassword(passwordFile),
    from: set(env, 'TASKWARDEN_SMTP_FROM') ?? `taskwarden@${hostname()}`,
  };
}

/** The password is kept in a file (mode 0600), never in the environment or on a command line. */
function readPassword(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ValidationError('TASKWARDEN_SMTP_PASSWORD_FILE', `cannot be read (${why})`);
  }
}

function resolvePublicUrl(text: string | undefined): string | null {
  if (text === undefined) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError('TASKWARDEN_PUBLIC_URL', `"${text}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError('TASKWARDEN_PUBLIC_URL', 'must be http or https');
  }
  return url.href.replace(/\/+$/, '');
}

function parseBoolean(text: string, source: string): boolean {
  const value = text.trim().toLowerCase();
  if (['true', 'on', 'yes', '1'].includes(value)) return true;
  if (['false', 'off', 'no', '0'].includes(value)) return false;
  throw new ValidationError(source, `"${text}" is not true or false`);
}
