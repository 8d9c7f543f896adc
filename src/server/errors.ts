import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CALENDAR_NAME_HINT, CALENDAR_NAME_PATTERN, YEARLY_DAY_HINT, YEARLY_DAY_PATTERN } from '../core/calendar.ts';
import {
  ERROR_CATALOG,
  type ErrorCode,
  fieldPath,
  isStoreOutage,
  TaskwardenError,
  ValidationError,
} from '../core/errors.ts';
import { CHANNEL_NAME_HINT, CHANNEL_NAME_PATTERN } from '../core/notify.ts';
import { PRINTABLE_HINT, PRINTABLE_PATTERN } from '../core/printable.ts';
import { NAME_HINT, NAME_PATTERN } from '../core/task-def.ts';
import type { ErrorBody } from '../protocol/errors.ts';
import { IDEMPOTENCY_KEY_HINT, IDEMPOTENCY_KEY_PATTERN } from '../protocol/runs.ts';
import { ScheduleKinds } from '../protocol/task-def.ts';

/** When a client should try again after the store was busy or away: the engine's own retries start this soon too. */
const STORE_RETRY_AFTER_SECONDS = 2;

/** What patterns shared by many fields mean, said in words rather than as the regular expression. */
const PATTERN_HINTS: Record<string, string> = {
  [PRINTABLE_PATTERN]: PRINTABLE_HINT,
  [NAME_PATTERN.source]: NAME_HINT,
  [CHANNEL_NAME_PATTERN.source]: CHANNEL_NAME_HINT,
  [CALENDAR_NAME_PATTERN.source]: CALENDAR_NAME_HINT,
  [YEARLY_DAY_PATTERN]: YEARLY_DAY_HINT,
  [IDEMPOTENCY_KEY_PATTERN]: IDEMPOTENCY_KEY_HINT,
};

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

/** The first schema violation, as a ValidationError naming the field like the core does ("jobs[0].name"). */
function fromSchemaValidation(error: FastifyError): ValidationError {
  const first = error.validation?.[0];
  const context = error.validationContext ?? 'body';
  if (!first) return new ValidationError(context, 'is invalid');
  let field = pointerToField(first.instancePath);
  let message = first.message ?? 'is invalid';
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'additionalProperties') {
    field = fieldPath(field, String(params['additionalProperty']));
    message = 'is not a known field';
  } else if (first.keyword === 'required') {
    field = fieldPath(field, String(params['missingProperty']));
    message = 'is required';
  } else if (first.keyword === 'type') {
    message = `must be ${String(params['type']).split(',').map(describeType).join(' or ')}`;
  } else if (first.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
    message = `must be one of ${params['allowedValues'].join(', ')}`;
  } else if (first.keyword === 'pattern' && PATTERN_HINTS[String(params['pattern'])]) {
    message = PATTERN_HINTS[String(params['pattern'])] as string;
  } else if (first.keyword === 'const') {
    message = `must be ${JSON.stringify(params['allowedValue'])}`;
  } else if (first.keyword === 'discriminator') {
    // The one discriminated union of the wire schema is the schedule's kind.
    field = fieldPath(field, String(params['tag']));
    message = `must be one of ${Object.keys(ScheduleKinds).join(', ')}`;
  } else {
    message = limitMessage(first.keyword, Number(params['limit'])) ?? message;
  }
  return new ValidationError(field || context, message);
}

/** Length and size limits in the core readers' wording (core/validate.ts). */
function limitMessage(keyword: string, limit: number): string | undefined {
  if (keyword === 'minLength') return limit === 1 ? 'must not be empty' : `must have at least ${limit} characters`;
  if (keyword === 'maxLength') return `must have at most ${limit} characters`;
  if (keyword === 'minItems') return `must have at least ${limit} ${limit === 1 ? 'item' : 'items'}`;
  if (keyword === 'maxItems') return `must have at most ${limit} items`;
  if (keyword === 'minimum' || keyword === 'maximum') return `must be ${keyword === 'minimum' ? '≥' : '≤'} ${limit}`;
  return undefined;
}

/** The core readers' wording ("must be a string"), so every message reads alike. */
function describeType(type: string): string {
  const phrases: Record<string, string> = {
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    object: 'an object',
    array: 'a list',
  };
  return phrases[type] ?? type;
}

/** "/jobs/0/name" → "jobs[0].name" */
function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((path, part) => fieldPath(path, /^\d+$/.test(part) ? Number(part) : part), '');
}
