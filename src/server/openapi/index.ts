import type { FastifyInstance } from 'fastify';
import { ErrorCodeSchema } from '../../protocol/errors.ts';
import { DOCS_PREFIX } from '../route-auth.ts';
import { errorCodesOf, errorResponses } from './errors.ts';
import { OPERATIONS } from './operations.ts';

/** The tag of a route without one: its first path segment after the version ("tasks"). */
function tagOf(url: string): string {
  const parts = url.split('/').filter(Boolean);
  return parts[0] === 'api' || parts[0] === 'agent' ? (parts[2] ?? parts[0]) : (parts[0] ?? 'server');
}

/**
 * Completes each documented route's schema for the OpenAPI document: its summary and tags,
 * and a response per error status with the codes it can carry. Must be installed before
 * @fastify/swagger, whose own onRoute hook reads the schema.
 */
export function installOperationDocs(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.schema?.hide || route.url.startsWith(DOCS_PREFIX)) return;
    const method = Array.isArray(route.method) ? String(route.method[0]) : route.method;
    const schema = route.schema ?? {};
    const operation = OPERATIONS[`${method} ${route.url}`];
    const codes = errorCodesOf({
      method,
      auth: route.config?.auth ?? 'public',
      schema,
      particular: operation?.errors ?? [],
    });
    route.schema = {
      ...schema,
      summary: schema.summary ?? operation?.summary,
      tags: schema.tags ?? [tagOf(route.url)],
      response: { ...errorResponses(codes), ...(schema.response as object | undefined) },
    };
  });
}

/** The document's shared parts: the error code enum, every code with its HTTP status. */
export const OPENAPI_COMPONENTS = {
  securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
  schemas: { ErrorCode: ErrorCodeSchema },
} as const;
