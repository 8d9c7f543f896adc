import type { Task } from '../core/model.ts';
import {
  type CompiledSchedule,
  compileSchedule,
  compileWindows,
  nextFiring,
  type Windows,
  withCalendars,
} from '../core/schedule/index.ts';
import { acrossZones } from './local-time.ts';

interface CompiledTask {
  schedule: CompiledSchedule;
  windows: Windows;
}

/**
 * Compiled tasks kept, most recently used first out last: the tasks that fire often stay,
 * while 100,000 daily schedules do not each keep one (a bulk load compiles them all once).
 */
const MAX_CACHED = 2_000;
const compiled = new Map<string, CompiledTask>();

/**
 * Compiling a schedule is far dearer than asking it for a firing: keep one per task version
 * (zones and calendars' content), the MAX_CACHED used last. `zones`: a `tz: "agent"`
 * task's target zones (targetZones); its firings are the earliest among them, its timeslots and blackouts are left to each
 * target (advance.ts); its calendars apply to all, their yearly days in the schedule's zone.
 */
function compiledTask(task: Task, defaultTz: string, zones: readonly string[] | null): CompiledTask {
  const calendars = task.calendarRules ? JSON.stringify(task.calendarRules) : '';
  const key = `${task.id}@${task.version}${zones ? `@${zones.join(',')}` : ''}${calendars}`;
  let entry = compiled.get(key);
  if (entry) {
    compiled.delete(key); // re-inserted below as the newest: the Map's order is the use order
  } else {
    const inZone = compileSchedule(task.schedule, defaultTz);
    const schedule = zones ? acrossZones(inZone, zones) : inZone;
    const windows = compileWindows({
      tz: schedule.tz,
      timeslots: zones ? [] : task.timeslots,
      blackouts: zones ? [] : task.blackouts,
      activeFrom: task.activeFrom,
      activeTill: task.activeTill,
    });
    entry = { schedule, windows: withCalendars(windows, task.calendarRules ?? [], schedule.tz) };
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
  }
  compiled.set(key, entry);
  return entry;
}

/**
 * The task's first firing strictly after `after`, windows applied; null when it never fires
 * again. `zones`: for a `tz: "agent"` task, its targets' zones (targetZones).
 */
export function nextFireOf(
  task: Task,
  after: number,
  defaultTz: string,
  zones: readonly string[] | null = null,
): number | null {
  if (!task.enabled) return null;
  const { schedule, windows } = compiledTask(task, defaultTz, zones);
  return nextFiring(schedule, windows, after);
}

/** The late firings a misfire policy drops, as one record: how many, the first and the last. */
export interface DroppedFirings {
  count: number;
  first: number;
  last: number;
}

export interface FiringPlan {
  /** Firings due now, each becoming a run starting at its fire time. */
  onTime: number[];
  /** Late firings to catch up, oldest first. */
  catchUp: number[];
  /** Late firings the policy drops, recorded as one `missed` run; null when none. */
  missed: DroppedFirings | null;
  /** The next firing after all of these, for the trigger. */
  next: number | null;
}

/** Firings of one task looked at per plan: bounds the work a long outage costs. */
const MAX_SCANNED = 1_000;

/**
 * Sorts the firings from `first` up to `now` into on time and late, and applies the
 * task's misfire policy to the late ones (firings the server missed while it was down):
 * skip → all dropped; once → the latest caught up, the others dropped; all → the latest
 * `cap` caught up. The dropped ones are counted, not listed: an outage is one record
 * however many firings it swallowed. A long outage scans at most MAX_SCANNED firings and
 * goes on from `now`: the firings beyond are neither counted nor caught up.
 */
export function planFirings(
  task: Task,
  first: number,
  now: number,
  opts: { defaultTz: string; thresholdMs: number; cap: number; zones?: readonly string[] | null },
): FiringPlan {
  const keep = task.misfire === 'skip' ? 0 : task.misfire === 'once' ? 1 : opts.cap;
  const plan: FiringPlan = { onTime: [], catchUp: [], missed: null, next: first };
  for (let scanned = 1; plan.next !== null && plan.next <= now; scanned++) {
    const fireAt = plan.next;
    if (now - fireAt <= opts.thresholdMs) plan.onTime.push(fireAt);
    else {
      plan.catchUp.push(fireAt);
      if (plan.catchUp.length > keep) drop(plan, plan.catchUp.shift() as number);
    }
    plan.next = nextFireOf(task, fireAt, opts.defaultTz, opts.zones);
    if (scanned >= MAX_SCANNED && plan.next !== null && plan.next <= now) {
      plan.next = nextFireOf(task, now, opts.defaultTz, opts.zones);
    }
  }
  return plan;
}

function drop(plan: FiringPlan, fireAt: number): void {
  plan.missed = plan.missed
    ? { ...plan.missed, count: plan.missed.count + 1, last: fireAt }
    : { count: 1, first: fireAt, last: fireAt };
}
