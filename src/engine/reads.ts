// What one transaction reads more than once, read once: shared by its steps through the
// unit of work (context.ts withTx), so a run of 10,000 targets does not cost 10,000 reads
// of 10,000 rows.
import type { Jobstate, Task } from '../core/model.ts';
import type { OrgSettings, StoreSession } from '../core/ports/store.ts';
import { compileWindows, type Windows, withCalendars } from '../core/schedule/index.ts';
import { WindowZones } from './local-time.ts';

/** The value loaded once per key: a transaction's reads of one row, shared by its steps. */
export function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
  }
  return value;
}

/**
 * The task with what its calendars forbid (Task.calendarRules), read in the caller's
 * transaction, so whatever plans it (next firing, a jobstate's window) applies them with
 * its own blackouts. A name no longer resolving (deleted meanwhile) forbids nothing.
 */
export async function withCalendarRules<T extends Task | null>(tx: StoreSession, task: T): Promise<T> {
  if (task === null || !task.calendars || task.calendars.length === 0) return task;
  const calendars = await tx.calendars.resolve(task.orgId, task.calendars);
  return { ...task, calendarRules: calendars.map(({ name, blackouts, yearly }) => ({ name, blackouts, yearly })) };
}

/**
 * Each task (with its calendars, and its windows compiled per zone) and each run's
 * jobstates, read once per transaction. The cached statuses stay sound because a terminal
 * status never changes, and a stale non-terminal one only parks a jobstate until its wake.
 */
export class TxReads {
  private readonly tasks = new Map<string, Promise<Task | null>>();
  private readonly windows = new Map<string, Windows>();
  private readonly runStates = new Map<string, Promise<Jobstate[]>>();
  private readonly orgs = new Map<string, Promise<OrgSettings | null>>();
  private readonly logCounts = new Map<string, Promise<number>>();
  private readonly zones: WindowZones;

  constructor(
    private readonly tx: StoreSession,
    defaultTz: string,
  ) {
    this.zones = new WindowZones(tx, defaultTz, (runId) => this.siblings(runId));
  }

  /** Seeds what the caller holds already (a run being started reads its task and jobstates itself). */
  knowing(task: Task, runId: string, jobstates: Jobstate[]): this {
    this.tasks.set(task.id, withCalendarRules(this.tx, task));
    this.runStates.set(runId, Promise.resolve(jobstates));
    return this;
  }

  task(id: string): Promise<Task | null> {
    return cached(this.tasks, id, async () => withCalendarRules(this.tx, await this.tx.tasks.get(id)));
  }

  /** Reads the tasks not read yet in one statement (a batch of jobstate ends, group-commit.ts). */
  async readTasks(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.tasks.has(id));
    if (missing.length === 0) return;
    const read = new Map((await this.tx.tasks.getMany(missing)).map((task) => [task.id, task]));
    // One at a time: a transaction's statements go one after the other on its connection.
    for (const id of missing) {
      const loaded = withCalendarRules(this.tx, read.get(id) ?? null);
      this.tasks.set(id, loaded);
      await loaded;
    }
  }

  /**
   * A jobstate's stored log lines (the per-jobstate cap of events calls), read once per
   * transaction: lines it appends meanwhile are held to its end (group-commit.ts), so they
   * were never counted either way.
   */
  logCount(jobstateId: string): Promise<number> {
    return cached(this.logCounts, jobstateId, () => this.tx.logs.count(jobstateId));
  }

  /** Counts the lines of the jobstates not counted yet in one statement (a batch of events calls, group-commit.ts). */
  async readLogCounts(jobstateIds: readonly string[]): Promise<void> {
    const missing = [...new Set(jobstateIds)].filter((id) => !this.logCounts.has(id));
    if (missing.length === 0) return;
    const counts = await this.tx.logs.countMany(missing);
    for (const id of missing) this.logCounts.set(id, Promise.resolve(counts.get(id) ?? 0));
  }

  /** A batch of run ends of one org (group-commit.ts) reads its notification defaults once. */
  orgSettings(orgId: string): Promise<OrgSettings | null> {
    return cached(this.orgs, orgId, () => this.tx.orgs.settings(orgId));
  }

  siblings(runId: string): Promise<Jobstate[]> {
    return cached(this.runStates, runId, () => this.tx.jobstates.allOfRun(runId));
  }

  /** The task's windows, read in the jobstate's zone (its agent's, for a `tz: "agent"` task). */
  async windowsOf(task: Task, js: Jobstate): Promise<Windows> {
    const tz = await this.zones.of(task, js);
    const key = `${task.id}@${tz}`;
    let windows = this.windows.get(key);
    if (!windows) {
      windows = compileWindows({
        tz,
        timeslots: task.timeslots,
        blackouts: task.blackouts,
        activeFrom: null,
        activeTill: task.activeTill,
      });
      windows = lastAnswers(withCalendars(windows, task.calendarRules ?? [], tz));
      this.windows.set(key, windows);
    }
    return windows;
  }
}

/** `fn` answering again at once when asked about the same instant as last time. */
function sameInstant<T>(fn: (t: number) => T): (t: number) => T {
  let at = Number.NaN;
  let answer: T;
  return (t) => {
    if (t !== at) {
      answer = fn(t);
      at = t;
    }
    return answer;
  };
}

/**
 * `windows` remembering their last answers: a run's jobstates starting together all ask
 * about the same instant (the transaction's), so 100,000 of them compute it once, not
 * 100,000 times. Sound because windows are pure functions of the instant.
 */
function lastAnswers(windows: Windows): Windows {
  return {
    activeFrom: windows.activeFrom ?? null,
    isOpen: sameInstant((t) => windows.isOpen(t)),
    nextOpen: sameInstant((t) => windows.nextOpen(t)),
    nextClose: sameInstant((t) => windows.nextClose(t)),
  };
}
