import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdempotencyKey, StartedRun } from '../engine/idempotency.ts';
import { IDEMPOTENCY_KEY_HEADER } from '../protocol/runs.ts';
import type { Principal } from './auth.ts';

/**
 * The request's Idempotency-Key (its format checked by the route's IdempotencyHeaders),
 * the caller's own, naming the request by method and path with its ids — not the query:
 * `?wait` only changes how long the answer waits.
 */
export function idempotencyKeyOf(request: FastifyRequest, principal: Principal): IdempotencyKey | undefined {
  const key = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (typeof key !== 'string') return undefined;
  const params = request.params as Record<string, string>;
  const path = request.routeOptions.url?.replace(/:(\w+)/g, (_, name: string) => params[name] ?? '');
  return { scope: principal.user.id, key, request: `${request.method} ${path}` };
}

/** A replayed answer says so, as clients of Idempotency-Key expect. */
export function markReplay(reply: FastifyReply, started: StartedRun): void {
  if (started.replayed) reply.header('idempotent-replayed', 'true');
}
