import type { RouteOptions } from 'fastify';
import { ERROR_CATALOG, type ErrorCode } from '../../core/errors.ts';
import { ErrorBodyOf } from '../../protocol/errors.ts';
import type { AuthLevel } from '../auth.ts';

/** The user roles: a route for one of them refuses the roles below it (403). */
const ROLE_LEVELS: readonly AuthLevel[] = ['viewer', 'operator', 'org-admin', 'admin'];
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface RouteShape {
  method: string;
  auth: AuthLevel;
  schema: NonNullable<RouteOptions['schema']>;
  particular: readonly ErrorCode[];
}

/**
 * The error codes an operation can answer: those of its kind by the server's rules (as the
 * hooks of auth.ts, origin-check.ts, connection-cap.ts, json-body.ts and errors.ts apply
 * them), then those particular to it (./operations.ts).
 */
export function errorCodesOf(route: RouteShape): ErrorCode[] {
  const { schema, auth, method } = route;
  const codes = new Set<ErrorCode>(['rate_limited', 'store_busy', 'store_unavailable']);
  const takes = (part: 'body' | 'querystring' | 'params' | 'headers') => schema[part] !== undefined;
  if (takes('body') || takes('querystring') || takes('params') || takes('headers')) codes.add('invalid_input');
  if (takes('body')) for (const code of ['payload_too_large', 'unsupported_media_type'] as const) codes.add(code);
  if (takes('params') || namesOrg(schema.querystring)) codes.add('not_found');
  if (auth !== 'public') codes.add('unauthorized');
  if (ROLE_LEVELS.includes(auth)) {
    if (auth !== 'viewer' || namesOrg(schema.querystring) || takes('params')) codes.add('forbidden');
    if (WRITES.has(method)) codes.add('cross_origin');
  }
  for (const code of route.particular) codes.add(code);
  return [...codes];
}

/** A `?org=` selects the org: naming one the caller may not see answers 404. */
function namesOrg(querystring: unknown): boolean {
  const properties = (querystring as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties !== undefined && 'org' in properties;
}

/** One response per status, its body's code narrowed to the codes answered with that status. */
export function errorResponses(codes: readonly ErrorCode[]): Record<number, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CATALOG[code], [...(byStatus.get(ERROR_CATALOG[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, listed]) => [status, ErrorBodyOf(listed, `error: ${listed.join(', ')}`)]),
  );
}
