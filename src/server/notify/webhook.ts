import { createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { MessageContent } from '../../core/notify.ts';
import type { Channel } from '../../core/ports/notifications.ts';
import { escapeUnprintable } from '../../core/printable.ts';
import type { Destination, WebhookGuard } from './allow-list.ts';

/** What a failed answer's body may add to the delivery log. */
const BODY_SNIPPET = 200;
/** Answers are read up to this, then the connection is dropped. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** `sha256=<hex>`: HMAC-SHA256 of the exact body with the channel's secret, as GitHub signs its hooks. */
export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookPost {
  guard: WebhookGuard;
  channel: Channel;
  deliveryId: string;
  content: MessageContent;
  signal: AbortSignal;
}

/**
 * POSTs the message as JSON to the channel's URL, connecting only to the address the guard
 * chose (pinned: the request's own lookup answers it), and resolves on a 2xx answer. No
 * redirect is followed. Failure messages name the address, never the URL (its path may
 * carry a token).
 */
export async function postWebhook(post: WebhookPost): Promise<void> {
  const url = new URL(post.channel.url ?? '');
  const destination = await post.guard.destination(url);
  const body = JSON.stringify(post.content);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Taskwarden',
    'x-taskwarden-event': post.content.event,
    'x-taskwarden-delivery': post.deliveryId,
  };
  if (post.channel.secret) headers['x-taskwarden-signature'] = signatureOf(post.channel.secret, body);
  const answer = await send(url, destination, headers, body, post.signal);
  if (answer.status < 200 || answer.status > 299) {
    const snippet = escapeUnprintable(answer.body.slice(0, BODY_SNIPPET).trim());
    throw new Error(`HTTP ${answer.status}${snippet ? `: ${snippet}` : ''}`);
  }
}

function send(
  url: URL,
  destination: Destination,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<{ status: number; body: string }> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [destination]);
    else callback(null, destination.address, destination.family);
  };
  const target = `${destination.address}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, lookup: pinned, signal, agent: false }, (res) =>
      readAnswer(res).then(resolve, reject),
    );
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(failureOf(err, target))));
    req.end(body);
  });
}

function readAnswer(res: IncomingMessage): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ANSWER_BYTES) res.destroy();
    });
    const done = () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
    res.on('end', done);
    res.on('close', done);
    res.on('error', reject);
  });
}

function failureOf(err: NodeJS.ErrnoException, target: string): string {
  if (err.name === 'AbortError') return 'cancelled';
  if (err.code === 'ECONNREFUSED') return `connection refused by ${target}`;
  if (err.code === 'ECONNRESET') return `connection reset by ${target}`;
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return `${target} cannot be reached`;
  return `${err.code ? `${err.code}: ` : ''}${err.message} (${target})`;
}
