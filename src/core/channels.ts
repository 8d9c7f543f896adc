// What a notification channel may be, checked field by field (the API's POST and PATCH bodies).
// Whether a webhook's host may be reached is the server's allow list (server/notify/allow-list.ts).
import { fieldPath, ValidationError } from './errors.ts';
import { CHANNEL_NAME_HINT, CHANNEL_NAME_PATTERN } from './notify.ts';
import type { ChannelKind } from './ports/notifications.ts';
import { readArray, readEnum, readObject, readString, readText } from './validate.ts';

export interface ChannelInput {
  name: string;
  kind: ChannelKind;
  url: string | null;
  to: string[];
  secret: string | null;
}

/** A webhook's new url or secret (null: no signature), an email channel's new recipients. */
export interface ChannelChange {
  url?: string;
  to?: string[];
  secret?: string | null;
}

export const MAX_URL = 2048;
export const MAX_RECIPIENTS = 20;
export const MAX_SECRET = 256;
/** A mailbox as people write it: no spaces, quotes, brackets or separators that could smuggle another header or recipient. */
const EMAIL =
  /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$/;

/** A new channel: a webhook needs `url` (its `secret` is optional), an email channel `to`. */
export function parseChannelInput(input: unknown): ChannelInput {
  const raw = readObject(input, '', ['name', 'kind', 'url', 'secret', 'to', 'global']);
  const name = readString(raw.name, 'name', {
    min: 1,
    max: 64,
    pattern: CHANNEL_NAME_PATTERN,
    patternHint: CHANNEL_NAME_HINT,
  });
  const kind = readEnum(raw.kind, 'kind', ['webhook', 'email'] as const);
  if (kind === 'webhook') {
    if (raw.to !== undefined) throw new ValidationError('to', 'is for email channels; a webhook has a url');
    if (raw.url === undefined) throw new ValidationError('url', 'is required for a webhook');
    const secret = raw.secret == null ? null : readSecret(raw.secret);
    return { name, kind, url: readWebhookUrl(raw.url, 'url'), to: [], secret };
  }
  for (const field of ['url', 'secret'] as const) {
    if (raw[field] !== undefined) throw new ValidationError(field, 'is for webhooks; an email channel has `to`');
  }
  if (raw.to === undefined) throw new ValidationError('to', 'is required for an email channel');
  return { name, kind, url: null, to: readRecipients(raw.to, 'to'), secret: null };
}

/** A change of an existing channel of `kind`; its name and kind stay (tasks refer to it by name). */
export function parseChannelChange(input: unknown, kind: ChannelKind): ChannelChange {
  const raw = readObject(input, '', kind === 'webhook' ? ['url', 'secret'] : ['to']);
  const change: ChannelChange = {};
  if (raw.url !== undefined) change.url = readWebhookUrl(raw.url, 'url');
  if (raw.secret !== undefined) change.secret = raw.secret === null ? null : readSecret(raw.secret);
  if (raw.to !== undefined) change.to = readRecipients(raw.to, 'to');
  return change;
}

/** An absolute http(s) URL without credentials; normalised as WHATWG URL writes it. */
export function readWebhookUrl(value: unknown, field: string): string {
  const text = readString(value, field, { min: 1, max: MAX_URL });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError(field, `"${text.slice(0, 100)}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError(field, 'must be http or https');
  if (url.username || url.password) throw new ValidationError(field, 'must not carry a user name or password');
  if (url.hostname === '') throw new ValidationError(field, 'must name a host');
  url.hash = '';
  return url.href;
}

function readSecret(value: unknown): string {
  return readText(value, 'secret', { min: 1, max: MAX_SECRET });
}

function readRecipients(value: unknown, field: string): string[] {
  const list = readArray(value, field, MAX_RECIPIENTS).map((v, i) => {
    const at = fieldPath(field, i);
    const address = readString(v, at, { min: 3, max: 254 });
    if (!EMAIL.test(address)) throw new ValidationError(at, `"${address}" is not an email address`);
    return address;
  });
  if (list.length === 0) throw new ValidationError(field, 'must name at least one address');
  return [...new Set(list)];
}
