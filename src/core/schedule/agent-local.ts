import { fieldPath, ValidationError } from '../errors.ts';
import type { ScheduleSpec } from '../model.ts';
import { parseIsoDateTime } from './fields.ts';
import type { CompiledSchedule } from './types.ts';
import { defaultTimeZone, type Zone, zoneOf } from './zone.ts';

/**
 * Schedules in each agent's local time (issue 15): `"tz": "agent"` makes a wall-clock
 * schedule fire, for each target, at its wall time in that target's zone (the agent's, or
 * `fallbackTz` for the server and agents without one). A firing is one wall time (say
 * 02:00 on Tuesday); its run is created at the earliest instant that wall time reaches
 * among the targets' zones, and each target's first job waits for its own instant.
 */

export const AGENT_TZ = 'agent';

/** The kinds whose firings are wall times; `once` only when its `at` has no offset. */
const WALL_KINDS = ['once', 'cron', 'weekly', 'monthly', 'rrule'];

/** An IANA zone name from outside (an agent, an admin), checked against the zones this server knows. */
export function checkTimeZone(value: unknown, field: string): string {
  return zoneOf(value, field).name;
}

export function isAgentLocal(spec: Pick<ScheduleSpec, 'tz'>): boolean {
  return spec.tz === AGENT_TZ;
}

/**
 * Checks `tz: "agent"` and `fallbackTz` of a schedule from outside and returns the zone it
 * compiles in: the fallback zone (default `defaultTz`, else the server's); null for a
 * schedule in one zone, which must not carry a fallbackTz.
 */
export function agentLocalZone(obj: Record<string, unknown>, field: string, defaultTz?: string): Zone | null {
  if (obj.tz !== AGENT_TZ) {
    if (obj.fallbackTz !== undefined) {
      throw new ValidationError(fieldPath(field, 'fallbackTz'), `only with tz "${AGENT_TZ}"`);
    }
    return null;
  }
  const tzField = fieldPath(field, 'tz');
  if (!WALL_KINDS.includes(obj.kind as string)) {
    throw new ValidationError(tzField, `"${AGENT_TZ}" needs wall times (kind ${WALL_KINDS.join(', ')})`);
  }
  if (obj.kind === 'once' && parseIsoDateTime(obj.at, fieldPath(field, 'at')).offset !== null) {
    throw new ValidationError(tzField, `"${AGENT_TZ}" needs wall times: give "at" without a UTC offset`);
  }
  return zoneOf(obj.fallbackTz ?? defaultTz ?? defaultTimeZone(), fieldPath(field, 'fallbackTz'));
}

/** "…, Europe/Paris" → "…, in each agent's local time (else Europe/Paris)". */
export function describeAgentLocal(text: string, fallbackTz: string): string {
  const local = `in each agent's local time (else ${fallbackTz})`;
  const suffix = `, ${fallbackTz}`;
  return text.endsWith(suffix) ? `${text.slice(0, -suffix.length)}, ${local}` : `${text}, ${local}`;
}

/** A `tz: "agent"` schedule over a set of zones: its firings and each firing's wall time. */
export interface ZonedFirings {
  /** The first firing strictly after `after`: the earliest instant its wall time reaches in any of the zones. */
  next(after: number): number | null;
  /**
   * The wall time of the firing that `fireAt` (one of next()'s answers) stands for: the
   * latest wall time that one of the zones' own schedules fires exactly at fireAt. Null when
   * none does (the zones changed since next() answered): that firing is then late for all.
   */
  wallOf(fireAt: number): number | null;
  /** When `wall` comes in `tz`, under the DST rule of every schedule. */
  instantIn(tz: string, wall: number): number;
}

/**
 * The firings of `compiled` (a wall-clock schedule, compiled in any zone) over `zones`.
 * A firing's wall time w reaches each zone z at z.instantOf(w), never going backwards as w
 * grows; so the first firing after `after` is the first wall time later than every wall
 * time any zone has shown by then, at its earliest instant. DST is each zone's own
 * (Zone.instantOf: a time in a gap comes at the end of it, a repeated one the first time).
 */
export function firingsAcrossZones(compiled: CompiledSchedule, zones: readonly string[]): ZonedFirings {
  const matchFrom = compiled.firstWallAtOrAfter;
  if (!matchFrom) throw new Error('firingsAcrossZones: not a wall-clock schedule');
  const list = [...new Set(zones.length > 0 ? zones : [compiled.tz])].map((z) => zoneOf(z, 'tz'));
  const earliest = (wall: number) => Math.min(...list.map((z) => z.instantOf(wall)));
  const firstWallAfter = (after: number) => matchFrom(Math.max(...list.map((z) => z.maxWallUpTo(after))) + 1);
  return {
    next(after) {
      const wall = firstWallAfter(after);
      return wall === null ? null : earliest(wall);
    },
    wallOf(fireAt) {
      let found: number | null = null;
      for (const zone of list) {
        const wall = matchFrom(zone.maxWallUpTo(fireAt - 1) + 1);
        if (wall !== null && zone.instantOf(wall) === fireAt && (found === null || wall > found)) found = wall;
      }
      return found;
    },
    instantIn: (tz, wall) => zoneOf(tz, 'tz').instantOf(wall),
  };
}
