import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOG, type ErrorCode, isStoreOutage, TaskwardenError, type ValidationError } from '../core/errors.ts';
import type { ErrorBody } from '../protocol/errors.ts';
import { schemaValidationError } from '../protocol/schema-errors.ts';

/** When a client should try again after the store was busy or away: the engine's own retries start this soon too. */
const STORE_RETRY_AFTER_SECONDS = 2;

/**
 * Every error leaves the server as `{error: {code, message, details}}` with the status the
 * catalog gives its code. Fastify's own errors (bad JSON, body too large, wrong content
 * type, schema validation) are translated to catalog codes here, in one place.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = toTaskwardenError(error);
    // A store outage is the store's, reported once by the engine: each request it refuses is no news.
    if (isStoreOutage(known)) request.log.info(`request refused: ${known.message}`);
    else if (known.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendError(reply, known);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new TaskwardenError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}

export function sendError(reply: FastifyReply, error: TaskwardenError): FastifyReply {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  if (isStoreOutage(error)) reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
  return reply.code(error.status).type('application/json').send(body);
}

/** Fastify error codes whose meaning has a catalog code of its own. */
const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'request body is larger than the server accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: 'request bodies must be JSON (Content-Type: application/json)',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_input', message: 'body: is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'invalid_input', message: 'Content-Length does not match the body' },
};

export function toTaskwardenError(error: FastifyError | Error): TaskwardenError {
  if (error instanceof TaskwardenError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation && fastifyError.validation.length > 0) return fromSchemaValidation(fastifyError);
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new TaskwardenError(mapped.code, mapped.message);
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) return new TaskwardenError(codeForStatus(status), error.message);
  return new TaskwardenError('internal', 'internal server error');
}

function codeForStatus(status: number): ErrorCode {
  const entry = Object.entries(ERROR_CATALOG).find(([, s]) => s === status);
  return (entry?.[0] as ErrorCode | undefined) ?? 'invalid_input';
}

/** The first schema violation of a request part ("body", "querystring"), named like the core names fields. */
function fromSchemaValidation(error: FastifyError): ValidationError {
  return schemaValidationError(error.validation?.[0] as ErrorObject | undefined, {
    whole: error.validationContext ?? 'body',
  });
}
