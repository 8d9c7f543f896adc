import { type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { TaskwardenError } from '../core/errors.ts';
import type { ErrorBody } from '../protocol/errors.ts';
import { clientKey } from './client-address.ts';
import { OpenCounts } from './open-counts.ts';

/** A refused client may try again after this many seconds. */
const RETRY_AFTER_SECONDS = 5;
/** Refusals are logged at most this often, so an attack cannot flood the log. */
const WARN_INTERVAL_MS = 60_000;

/**
 * At most `max` open connections per client address (client-address.ts; 0 = no cap), so
 * one address cannot take every file descriptor of the server. A connection past the cap
 * gets a 429 at once and is closed, before any of its bytes are read. The address is the
 * TCP peer: behind a reverse proxy every connection is the proxy's, and the cap must be
 * raised or turned off there (README "Hardening settings").
 */
export function installConnectionCap(server: Server, max: number, log: FastifyBaseLogger): void {
  if (max <= 0) return;
  const open = new OpenCounts(max);
  const refusal = refusalResponse(max);
  let lastWarn = Number.NEGATIVE_INFINITY;
  server.on('connection', (socket: Socket) => {
    const address = clientKey(socket.remoteAddress);
    const release = open.tryOpen(address);
    if (release) {
      socket.once('close', release);
      return;
    }
    if (Date.now() - lastWarn >= WARN_INTERVAL_MS) {
      lastWarn = Date.now();
      log.warn({ event: 'connections_refused', address, max }, 'connection refused: too many from one address');
    }
    socket.end(refusal, () => socket.destroy());
  });
}

function refusalResponse(max: number): string {
  const error = new TaskwardenError(
    'rate_limited',
    `too many connections from this address (at most ${max} at a time); try again later`,
  );
  const body = JSON.stringify({ error: { code: error.code, message: error.message } } satisfies ErrorBody);
  return [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `retry-after: ${RETRY_AFTER_SECONDS}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}
