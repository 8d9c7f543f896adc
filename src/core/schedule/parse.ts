import { fieldPath, ValidationError } from '../errors.ts';
import type { ScheduleSpec } from '../model.ts';
import { expectObject, rejectUnknownKeys } from './fields.ts';
import { KINDS } from './kinds/index.ts';
import type { CompiledSchedule } from './types.ts';
import { defaultTimeZone, zoneOf } from './zone.ts';

/** Validates a schedule and compiles it; the spec keeps the fields as given, with `tz` filled in. */
function build(input: unknown, field: string, defaultTz?: string): { spec: ScheduleSpec; compiled: CompiledSchedule } {
  const obj = expectObject(input, field);
  const name = obj.kind;
  const kind = typeof name === 'string' && Object.hasOwn(KINDS, name) ? KINDS[name] : undefined;
  if (!kind) {
    throw new ValidationError(fieldPath(field, 'kind'), `must be one of ${Object.keys(KINDS).join(', ')}`);
  }
  rejectUnknownKeys(obj, ['kind', 'tz', ...kind.fields], field);
  const zone = zoneOf(obj.tz ?? defaultTz ?? defaultTimeZone(), fieldPath(field, 'tz'));
  const compiled = kind.compile(obj, field, zone);
  return { spec: { ...obj, tz: zone.name } as ScheduleSpec, compiled };
}

/**
 * Checks a schedule from outside (API, task file, CLI) and returns it normalised: the same
 * fields, `tz` filled in (default: `defaultTz`, else the server's zone). Errors are
 * ValidationErrors naming the field, e.g. "schedule.at", "schedule.expr", "schedule.tz".
 */
export function parseSchedule(input: unknown, field = 'schedule', defaultTz?: string): ScheduleSpec {
  return build(input, field, defaultTz).spec;
}

/** Compiles a schedule for next()/describe(); a spec that was not validated is checked too. */
export function compileSchedule(spec: ScheduleSpec, defaultTz?: string): CompiledSchedule {
  return build(spec, 'schedule', defaultTz).compiled;
}
