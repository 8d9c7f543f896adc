import { fieldPath, ValidationError } from '../errors.ts';
import type { ScheduleSpec } from '../model.ts';
import { agentLocalZone, describeAgentLocal } from './agent-local.ts';
import { expectObject, rejectUnknownKeys } from './fields.ts';
import { KINDS } from './kinds/index.ts';
import type { CompiledSchedule, ScheduleKind } from './types.ts';
import { defaultTimeZone, zoneOf } from './zone.ts';

/** Validates a schedule and compiles it; the spec keeps the fields as given, with `tz` filled in. */
function build(
  input: unknown,
  field: string,
  defaultTz?: string,
): { spec: ScheduleSpec; compiled: CompiledSchedule; kind: ScheduleKind } {
  const obj = expectObject(input, field);
  const name = obj.kind;
  const kind = typeof name === 'string' && Object.hasOwn(KINDS, name) ? KINDS[name] : undefined;
  if (!kind) {
    throw new ValidationError(fieldPath(field, 'kind'), `must be one of ${Object.keys(KINDS).join(', ')}`);
  }
  rejectUnknownKeys(obj, ['kind', 'tz', 'fallbackTz', ...kind.fields], field);
  // tz "agent": compiled in its fallback zone, where its wall times are read for the server.
  const fallback = agentLocalZone(obj, field, defaultTz);
  const zone = fallback ?? zoneOf(obj.tz ?? defaultTz ?? defaultTimeZone(), fieldPath(field, 'tz'));
  const compiled = kind.compile(obj, field, zone);
  if (fallback) {
    const describe = () => describeAgentLocal(compiled.describe(), zone.name);
    return { spec: { ...obj, fallbackTz: zone.name } as ScheduleSpec, compiled: { ...compiled, describe }, kind };
  }
  return { spec: { ...obj, tz: zone.name } as ScheduleSpec, compiled, kind };
}

/**
 * Checks a schedule from outside (API, task file, CLI) and returns it normalised: the same
 * fields, `tz` filled in (default: `defaultTz`, else the server's zone). Errors are
 * ValidationErrors naming the field, e.g. "schedule.at", "schedule.expr", "schedule.tz".
 * A pattern that can never fire (cron `0 0 31 2 *`) is refused: saved, it would wait forever
 * in silence. One that no longer fires (a `once` in the past) is not: it did, or could have.
 */
export function parseSchedule(input: unknown, field = 'schedule', defaultTz?: string): ScheduleSpec {
  const { spec, compiled, kind } = build(input, field, defaultTz);
  if (compiled.firesEver?.() === false) {
    throw new ValidationError(fieldPath(field, kind.patternField ?? 'kind'), `never fires: ${NO_DATE_MATCHES}`);
  }
  return spec;
}

/** Why a schedule that never fires does not (types.ts, firesEver). */
export const NO_DATE_MATCHES = 'no date matches it in a whole 400-year cycle of the calendar';

/**
 * Checks a schedule like parseSchedule but takes one that never fires: a preview says so
 * instead of refusing it. Returns the normalised spec and the compiled schedule.
 */
export function readSchedule(
  input: unknown,
  field = 'schedule',
  defaultTz?: string,
): { spec: ScheduleSpec; compiled: CompiledSchedule } {
  const { spec, compiled } = build(input, field, defaultTz);
  return { spec, compiled };
}

/** Compiles a schedule for next()/describe(); a spec that was not validated is checked too. */
export function compileSchedule(spec: ScheduleSpec, defaultTz?: string): CompiledSchedule {
  return build(spec, 'schedule', defaultTz).compiled;
}
