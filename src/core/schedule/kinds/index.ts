import type { ScheduleKind } from '../types.ts';
import { cron } from './cron.ts';
import { interval } from './interval.ts';
import { monthly } from './monthly.ts';
import { rrule } from './rrule.ts';
import { immediate, manual, once } from './simple.ts';
import { weekly } from './weekly.ts';

/** Every schedule kind of DESIGN.md, by its `kind`. */
export const KINDS: Record<string, ScheduleKind> = { manual, immediate, once, interval, cron, weekly, monthly, rrule };
