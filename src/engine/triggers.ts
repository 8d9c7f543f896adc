import type { Task } from '../core/model.ts';
import {
  type CompiledSchedule,
  compileSchedule,
  compileWindows,
  nextFiring,
  type Windows,
} from '../core/schedule/index.ts';

interface CompiledTask {
  schedule: CompiledSchedule;
  windows: Windows;
}

const MAX_CACHED = 20_000;
const compiled = new Map<string, CompiledTask>();

/** Compiling a schedule is far dearer than asking it for a firing: keep one per task version. */
function compiledTask(task: Task, defaultTz: string): CompiledTask {
  const key = `${task.id}@${task.version}`;
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
    entry = { schedule, windows };
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

export interface FiringPlan {
  /** Firings due now, each becoming a run starting at its fire time. */
  onTime: number[];
  /** Late firings to catch up, each with the time its run may start. */
  catchUp: { fireAt: number; startAt: number }[];
  /** Late firings recorded as `missed` runs. */
  missed: number[];
  /** The next firing after all of these, for the trigger. */
  next: number | null;
}

const MAX_SCANNED = 1_000;

/**
 * Sorts the firings from `first` up to `now` into on time and late, and applies the
 * task's misfire policy to the late ones (firings the server missed while it was down):
 * skip → all recorded missed; once → the latest caught up, the others missed; all → the
 * latest `cap` caught up, spread `spreadMs` apart so they don't start at one instant.
 * A long outage scans at most MAX_SCANNED firings; older ones are not recorded.
 */
export function planFirings(
  task: Task,
  first: number,
  now: number,
  opts: { defaultTz: string; thresholdMs: number; cap: number; spreadMs: number },
): FiringPlan {
  const due: number[] = [];
  let next: number | null = first;
  while (next !== null && next <= now) {
    due.push(next);
    next = nextFireOf(task, next, opts.defaultTz);
    if (due.length >= MAX_SCANNED && next !== null && next <= now) {
      next = nextFireOf(task, now, opts.defaultTz);
      break;
    }
  }
  const late = due.filter((f) => now - f > opts.thresholdMs);
  const onTime = due.filter((f) => now - f <= opts.thresholdMs);
  const keep = task.misfire === 'skip' ? 0 : task.misfire === 'once' ? 1 : opts.cap;
  const caught = keep === 0 ? [] : late.slice(-keep);
  return {
    onTime,
    catchUp: caught.map((fireAt, i) => ({ fireAt, startAt: now + i * opts.spreadMs })),
    missed: late.slice(0, late.length - caught.length),
    next,
  };
}
