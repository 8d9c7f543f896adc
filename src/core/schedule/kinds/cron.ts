import { Cron } from 'croner';
import { fieldPath, ValidationError } from '../../errors.ts';
import { expectString } from '../fields.ts';
import type { ScheduleKind } from '../types.ts';
import { describeCron } from './cron-describe.ts';
import { wallClockSchedule } from './wall-series.ts';

/**
 * Cron expressions (5 fields, or 6 with seconds first) matched by croner — but croner only
 * ever sees wall time: it runs at UTC offset 0 on wall times, where there is no DST, and
 * wallClockSchedule applies our DST rule. Croner's own rule differs for "interval" jobs
 * (e.g. `30 * * * *` would run twice in the repeated autumn hour and skip spring-gap times);
 * here every expression follows the product rule: a time in the gap fires at the end of the
 * gap, a repeated time fires once, at its first occurrence. Day-of-month and day-of-week
 * combine with OR, as in Vixie cron.
 */
export const cron: ScheduleKind = {
  fields: ['expr'],
  patternField: 'expr',
  compile(obj, field, zone) {
    const exprField = fieldPath(field, 'expr');
    const expr = expectString(obj.expr, exprField).replace(/\s+/g, ' ');
    const parts = expr.split(' ').length;
    // Croner also takes an ISO date as a one-off "pattern"; only real expressions are cron here.
    if (parts !== 5 && parts !== 6 && !expr.startsWith('@')) {
      throw new ValidationError(exprField, `"${expr}" must have 5 fields, or 6 with seconds first`);
    }
    let job: Cron;
    try {
      job = new Cron(expr, { utcOffset: 0, mode: '5-or-6-parts', paused: true });
    } catch (err) {
      throw new ValidationError(exprField, `"${expr}" is not a valid cron expression (${(err as Error).message})`);
    }
    return {
      ...wallClockSchedule(
        zone,
        // nextRun is strictly after its argument's whole second: one ms earlier makes it "at or after".
        (from) => job.nextRun(new Date(from - 1))?.getTime() ?? null,
        () => describeCron(expr, zone.name),
      ),
      // Croner looks up to the year 3000 before it answers null: from 1970 that is more than
      // a whole 400-year cycle of the calendar, so nothing found means nothing ever.
      firesEver: () => job.nextRun(new Date(0)) !== null,
    };
  },
};
