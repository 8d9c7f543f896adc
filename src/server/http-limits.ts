import type { ServerOptions } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';

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

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  // Headers and body together stay within 30 s: a slow client is cut by then.
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 20_000,
  // 256 MiB (the default package limit) at ~450 KB/s.
  uploadTimeoutMs: 10 * 60_000,
  maxConnectionsPerAddress: 64,
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
 * The Fastify options that bound a request's headers. Node's own `requestTimeout` covers
 * the whole request on every route alike, so it only backs up the body timers below
 * (a body that never reaches a route, e.g. a malformed URL's); it does not run once a
 * request is received, so it never cuts an event stream or a long poll's answer.
 */
export function serverTimeouts(limits: HttpLimits): {
  requestTimeout: number;
  http: ServerOptions;
} {
  const requestTimeout = limits.headersTimeoutMs + Math.max(limits.bodyTimeoutMs, limits.uploadTimeoutMs);
  return {
    requestTimeout,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, limits.headersTimeoutMs),
    },
  };
}

const bodyTimers = new WeakMap<FastifyRequest, NodeJS.Timeout>();

/**
 * A request's body must be complete `bodyTimeoutMs` after its headers, or its connection
 * is closed: a client sending a body byte by byte cannot hold a socket for long. Routes
 * that take big bodies get `uploadTimeoutMs`, but only once the caller is authenticated
 * (preParsing runs after the auth hook), so an anonymous client never gets the long one.
 * The timer outlives an early answer (a 401 to a body still arriving): Node reads and
 * drops the rest of that body, and that must be quick too.
 */
export function installBodyTimeouts(app: FastifyInstance, limits: HttpLimits): void {
  app.addHook('onRequest', async (request) => {
    if (hasBody(request)) armBodyTimer(request, limits.bodyTimeoutMs);
  });
  app.addHook('preParsing', async (request) => {
    if (request.routeOptions.config.bodyTimeout === 'upload' && hasBody(request)) {
      armBodyTimer(request, limits.uploadTimeoutMs);
    }
  });
  app.addHook('onResponse', async (request) => {
    if (request.raw.complete) clearTimeout(bodyTimers.get(request));
  });
}

/** Node's rule: without Content-Length or Transfer-Encoding a request has no body. */
function hasBody(request: FastifyRequest): boolean {
  const { headers } = request.raw;
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

function armBodyTimer(request: FastifyRequest, ms: number): void {
  clearTimeout(bodyTimers.get(request));
  const timer = setTimeout(() => {
    const { raw } = request;
    // `complete` is true once the whole body arrived; an injected request (tests) has no socket to cut.
    if (raw.complete !== false || raw.socket.destroyed) return;
    request.log.info({ address: raw.socket.remoteAddress, url: request.url }, 'request body too slow: connection cut');
    raw.socket.destroy();
  }, ms);
  timer.unref();
  bodyTimers.set(request, timer);
}
