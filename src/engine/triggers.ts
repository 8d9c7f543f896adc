import type { Task } from '../core/model.ts';
import {
  type CompiledSchedule,
  compileSchedule,
  compileWindows,
  nextFiring,
  type Windows,
  withCalendars,
} from '../core/schedule/index.ts';

interface CompiledTask {
  schedule: CompiledSchedule;
  windows: Windows;
}

const MAX_CACHED = 20_000;
const compiled = new Map<string, CompiledTask>();

/** Compiling a schedule is far dearer than asking it for a firing: keep one per task version (and calendars' content). */
function compiledTask(task: Task, defaultTz: string): CompiledTask {
  const key = `${task.id}@${task.version}${task.calendarRules ? JSON.stringify(task.calendarRules) : ''}`;
  let entry = compiled.get(key);
  if (!entry) {
    const schedule = compileSchedule(task.schedule, defaultTz);
    const windows = compileWindows({
      tz: schedule.tz,
      timeslots: task.timeslots,
      blackouts: task.blackouts,
      activeFrom: task.activeFrom,
      activeTill: task.activeTill,
    });
    entry = { schedule, windows: withCalendars(windows, task.calendarRules ?? [], schedule.tz) };
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(key, entry);
  }
  return entry;
}

/** The task's first firing strictly after `after`, windows applied; null when it never fires again. */
export function nextFireOf(task: Task, after: number, defaultTz: string): number | null {
  if (!task.enabled) return null;
  const { schedule, windows } = compiledTask(task, defaultTz);
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
  opts: { defaultTz: string; thresholdMs: number; cap: number },
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
    plan.next = nextFireOf(task, fireAt, opts.defaultTz);
    if (scanned >= MAX_SCANNED && plan.next !== null && plan.next <= now) {
      plan.next = nextFireOf(task, now, opts.defaultTz);
    }
  }
  return plan;
}

function drop(plan: FiringPlan, fireAt: number): void {
  plan.missed = plan.missed
    ? { ...plan.missed, count: plan.missed.count + 1, last: fireAt }
    : { count: 1, first: fireAt, last: fireAt };
}
