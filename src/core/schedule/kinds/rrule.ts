import { fieldPath, ValidationError } from '../../errors.ts';
import { expectString, parseIsoDateTime } from '../fields.ts';
import { describeRule } from '../rrule/describe.ts';
import { RuleSeries } from '../rrule/expand.ts';
import { parseRule } from '../rrule/parse.ts';
import type { ScheduleKind } from '../types.ts';
import { wallClockSchedule } from './wall-series.ts';

/**
 * An RFC 5545 RRULE (AWX's schedules) with an optional `start` (DTSTART). Without `start`
 * the rule is anchored at 1970-01-01 00:00 local time, so INTERVAL counts periods from
 * then and parts the rule leaves out default from that instant (00:00:00, January 1st,
 * a Thursday): give BYHOUR/BYMINUTE/BYDAY… or a start. COUNT needs a start.
 */
export const rrule: ScheduleKind = {
  fields: ['rule', 'start'],
  patternField: 'rule',
  compile(obj, field, zone) {
    const rule = parseRule(expectString(obj.rule, fieldPath(field, 'rule')), fieldPath(field, 'rule'));
    const startField = fieldPath(field, 'start');
    if (rule.count !== null && obj.start === undefined) {
      throw new ValidationError(startField, 'is required when the rule has COUNT (the count starts there)');
    }
    let start: number | null = null;
    if (obj.start !== undefined) {
      // A local start is taken as written; one with an offset is read on this zone's clock.
      const { wall, offset } = parseIsoDateTime(obj.start, startField);
      start = offset === null ? wall : zone.wall(wall - offset);
    }
    // UNTIL in UTC allows the wall times the clock has shown by then.
    const until = rule.until && (rule.until.offset === null ? rule.until.wall : zone.maxWallUpTo(rule.until.wall));
    const series = new RuleSeries(rule, start ?? 0, until);
    return {
      ...wallClockSchedule(
        zone,
        (from) => series.firstAtOrAfter(from),
        () => describeRule(rule, start, zone.name),
      ),
      // From its anchor: a rule whose UNTIL or COUNT ended its occurrences fired once, at least.
      firesEver: () => series.firstAtOrAfter(start ?? 0) !== null,
    };
  },
};
