import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/**
 * What one client may cost the server: how long it may take to send a request, how many
 * connections and event streams it may hold, how fast it may guess passwords, how deeply
 * its JSON may nest. The defaults are the README's "Hardening settings"; tests shrink them.
 */
export interface HttpLimits {
  /** Request line and headers must arrive within this (TASKWARDEN_HEADERS_TIMEOUT). */
  headersTimeoutMs: number;
  /** A body must arrive within this once the headers have (TASKWARDEN_BODY_TIMEOUT). */
  bodyTimeoutMs: number;
  /** The same for routes with `config.bodyTimeout: 'upload'`, once the caller is authenticated (TASKWARDEN_UPLOAD_TIMEOUT). */
  uploadTimeoutMs: number;
  /** Open connections one client address may hold; 0 = no cap (TASKWARDEN_MAX_CONNECTIONS_PER_ADDRESS). */
  maxConnectionsPerAddress: number;
  /** Event streams (/api/v1/events) one user may hold open (TASKWARDEN_MAX_EVENT_STREAMS_PER_USER). */
  maxEventStreamsPerUser: number;
  /** Login attempts one address may make per `loginAddressWindowMs` (TASKWARDEN_LOGIN_ATTEMPTS_PER_ADDRESS). */
  loginAttemptsPerAddress: number;
  loginAddressWindowMs: number;
  /** Failed logins a user name may take within `loginNameWindowMs` before it is locked (TASKWARDEN_LOGIN_FAILURES_PER_NAME). */
  loginFailuresPerName: number;
  loginNameWindowMs: number;
  /** Deepest nesting of arrays and objects in a JSON body (TASKWARDEN_JSON_MAX_DEPTH). */
  jsonMaxDepth: number;
}

/** Never fewer connections per address than this, however low the file limit. */
const MIN_CONNECTIONS_PER_ADDRESS = 64;
/** The open-file limit assumed where the process cannot read its own (no /proc): the usual default. */
const USUAL_OPEN_FILE_LIMIT = 1_024;
const OPEN_FILES = /^Max open files\s+(\d+|unlimited)\s/m;

/**
 * The default connection cap per address: a quarter of the process's file descriptors (at
 * least 64). A fleet of long-polling agents behind one NAT address holds one connection per
 * agent, so a cap of a few dozen refused all but a few dozen of a site's PCs; a quarter
 * still keeps any one address from taking every descriptor (the attack the cap is for).
 * `limitsText` is /proc/self/limits, whose soft "Max open files" Node raised to the hard
 * limit at its start; null where it cannot be read.
 */
export function connectionCapFor(limitsText: string | null): number {
  const soft = limitsText === null ? undefined : OPEN_FILES.exec(limitsText)?.[1];
  const files =
    soft === undefined ? USUAL_OPEN_FILE_LIMIT : soft === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(soft);
  return Math.max(MIN_CONNECTIONS_PER_ADDRESS, Math.floor(files / 4));
}

function processLimits(): string | null {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return null;
  }
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  // Headers and body together stay within 30 s: a slow client is cut by then.
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 20_000,
  // 256 MiB (the default package limit) at ~450 KB/s.
  uploadTimeoutMs: 10 * 60_000,
  maxConnectionsPerAddress: connectionCapFor(processLimits()),
  maxEventStreamsPerUser: 8,
  loginAttemptsPerAddress: 20,
  loginAddressWindowMs: 60_000,
  loginFailuresPerName: 5,
  loginNameWindowMs: 15 * 60_000,
  jsonMaxDepth: 64,
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'upload': the route takes big bodies (package uploads); its authenticated callers get `uploadTimeoutMs`. */
    bodyTimeout?: 'upload';
  }
}

/** How often Node looks for requests past their header timeout (its default, 30 s, would double a 30 s limit). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/**
 * An idle keep-alive connection is closed after this. Longer than any client's idle time
 * before it reuses a connection (an agent's client drops its idle sockets after 5 s; a
 * long-polling agent calls again at once) and than a load balancer's usual 60 s, so the
 * server never closes a socket a client is about to reuse: that race costs the client a
 * reset request. A fleet of long-polling agents keeps one connection each, for good.
 */
const KEEP_ALIVE_TIMEOUT_MS = 75_000;
/**
 * Connections the kernel queues before the server accepts them (Node's default is 511;
 * the kernel caps it at net.core.somaxconn). Thousands of agents reconnect at once after a
 * server restart: a full queue drops their SYNs, which they resend only after 1, 3, 7 s…
 */
export const LISTEN_BACKLOG = 8_192;

/**
 * The Fastify options that bound a request's headers. Node's own `requestTimeout` counts
 * from the first byte of a request to its last, on every route alike: it backs up the
 * body timers below and must allow the longest of them. Node's `headersTimeout` only
 * backs up installHeaderTimeout (header-timeout.ts), which cuts slow headers without
 * blaming a client for the server's lag: it gets the same long bound. Neither runs once a
 * request is received, so an event stream or a long poll's answer is never cut.
 */
export function serverTimeouts(limits: HttpLimits): {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
} {
  const requestTimeout = limits.headersTimeoutMs + Math.max(limits.bodyTimeoutMs, limits.uploadTimeoutMs);
  return {
    requestTimeout,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: requestTimeout,
      requestTimeout,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, limits.headersTimeoutMs),
    },
  };
}

const bodyTimers = new WeakMap<IncomingMessage, NodeJS.Timeout>();

/**
 * A request's body must be complete `bodyTimeoutMs` after its headers, or its connection
 * is closed: a client sending a body byte by byte cannot hold a socket for long. Armed on
 * the server itself, before Fastify sees the request, so it also covers requests Fastify
 * answers without running hooks (a malformed URL) and bodies Node reads and drops after
 * an early answer (a 401). Routes that take big bodies get `uploadTimeoutMs`, but only
 * once the caller is authenticated (preParsing runs after the auth hook), so an anonymous
 * client never gets the long one.
 */
export function installBodyTimeouts(app: FastifyInstance, limits: HttpLimits): void {
  app.server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!hasBody(request)) return;
    armBodyTimer(request, limits.bodyTimeoutMs, app.log);
    response.once('finish', () => {
      if (request.complete) clearTimeout(bodyTimers.get(request));
    });
  });
  app.addHook('preParsing', async (request) => {
    // Only a request armed above: one injected by a test has no socket to cut.
    if (request.routeOptions.config.bodyTimeout === 'upload' && bodyTimers.has(request.raw)) {
      armBodyTimer(request.raw, limits.uploadTimeoutMs, request.log);
    }
  });
}

/** Node's rule: without Content-Length or Transfer-Encoding a request has no body. */
function hasBody(request: IncomingMessage): boolean {
  const { headers } = request;
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

function armBodyTimer(request: IncomingMessage, ms: number, log: FastifyBaseLogger): void {
  clearTimeout(bodyTimers.get(request));
  // Module-level callbacks with arguments, not closures: every request with a body arms one.
  const timer = setTimeout(cutAfterAPoll, ms, request, log);
  timer.unref();
  bodyTimers.set(request, timer);
}

/**
 * The verdict waits for one more poll of the sockets: a body already in the socket buffer
 * but not read yet (a busy event loop) is the server's lag, not the client's (header-timeout.ts).
 */
function cutAfterAPoll(request: IncomingMessage, log: FastifyBaseLogger): void {
  setImmediate(cutIfIncomplete, request, log);
}

function cutIfIncomplete(request: IncomingMessage, log: FastifyBaseLogger): void {
  const { socket } = request;
  if (request.complete || socket.destroyed) return;
  log.info({ address: socket.remoteAddress, url: request.url }, 'request body too slow: connection cut');
  socket.destroy();
}
