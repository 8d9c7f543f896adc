import type { ErrorObject } from 'ajv';
import { CALENDAR_NAME_HINT, CALENDAR_NAME_PATTERN, YEARLY_DAY_HINT, YEARLY_DAY_PATTERN } from '../core/calendar.ts';
import { fieldPath, ValidationError } from '../core/errors.ts';
import { CHANNEL_NAME_HINT, CHANNEL_NAME_PATTERN } from '../core/notify.ts';
import { PRINTABLE_HINT, PRINTABLE_PATTERN } from '../core/printable.ts';
import { IDEMPOTENCY_KEY_HINT, IDEMPOTENCY_KEY_PATTERN } from './runs.ts';
import { NAME_HINT, NAME_PATTERN, ScheduleKinds } from './task-def.ts';

/**
 * A wire-schema violation as the product words it: a ValidationError naming the field like
 * the core does ("jobs[0].name: must not be empty"). The one mapping of ajv's errors, for
 * the server's request validation (server/errors.ts) and for the checks of definitions that
 * come in without a request (protocol/wire-checks.ts): the same input gets the same message.
 */

/** What patterns shared by many fields mean, said in words rather than as the regular expression. */
const PATTERN_HINTS: Record<string, string> = {
  [PRINTABLE_PATTERN]: PRINTABLE_HINT,
  [NAME_PATTERN]: NAME_HINT,
  [CHANNEL_NAME_PATTERN.source]: CHANNEL_NAME_HINT,
  [CALENDAR_NAME_PATTERN.source]: CALENDAR_NAME_HINT,
  [YEARLY_DAY_PATTERN]: YEARLY_DAY_HINT,
  [IDEMPOTENCY_KEY_PATTERN]: IDEMPOTENCY_KEY_HINT,
};

/**
 * The first violation of a value checked at `prefix` ("" for a whole request body,
 * "tasks[3]" for one definition of a file); an error about the value itself names `whole`.
 */
export function schemaValidationError(
  first: ErrorObject | undefined,
  where: { prefix?: string; whole: string },
): ValidationError {
  if (!first) return new ValidationError(where.whole, 'is invalid');
  let field = pointerToField(first.instancePath, where.prefix ?? '');
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
  return new ValidationError(field || where.whole, message);
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

/** "/jobs/0/name" → "jobs[0].name", under `prefix` */
function pointerToField(pointer: string, prefix: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((path, part) => fieldPath(path, /^\d+$/.test(part) ? Number(part) : part), prefix);
}
