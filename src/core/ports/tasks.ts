import type { Task } from '../model.ts';
import type { Page, Paged } from './page.ts';

export interface TaskRepo {
  /** Fails with `task_name_taken` when the org already has a task of that name. */
  create(task: Task): Promise<Task>;
  /**
   * Inserts all or none (a bulk load): fails with `task_name_taken`, details `{name}`, naming
   * the first of them whose org already has a task of that name (also, without details, when
   * the load holds one name twice).
   */
  createMany(tasks: readonly Task[]): Promise<void>;
  /** Writes `task` if the stored version is `task.version - 1`; false otherwise. */
  update(task: Task): Promise<boolean>;
  get(id: string): Promise<Task | null>;
  /** The tasks of these ids that exist, in no particular order (a firing batch reads its tasks at once). */
  getMany(ids: readonly string[]): Promise<Task[]>;
  getByName(orgId: string, name: string): Promise<Task | null>;
  /** `orgId` a list: the tasks of any of these orgs (an org's own and the global ones). */
  list(
    filter: { orgId?: string | readonly string[] | undefined; enabled?: boolean | undefined },
    page: Page,
  ): Promise<Paged<Task>>;
  /** Deletes the task with its trigger, runs, jobstates and logs (ledger and history stay). */
  delete(id: string): Promise<void>;
}

export interface Trigger {
  taskId: string;
  orgId: string;
  nextFireAt: number;
  /** Task version the firing was computed for; a stale trigger is recomputed. */
  taskVersion: number;
}

export interface TriggerRepo {
  set(trigger: Trigger): Promise<void>;
  setMany(triggers: readonly Trigger[]): Promise<void>;
  clear(taskId: string): Promise<void>;
  clearMany(taskIds: readonly string[]): Promise<void>;
  get(taskId: string): Promise<Trigger | null>;
  /** Due triggers (nextFireAt <= now), locked for this transaction; skips locked rows where supported. */
  claimDue(now: number, limit: number): Promise<Trigger[]>;
  /** Earliest nextFireAt of all triggers, for the scheduler's sleep. */
  nextFireAt(): Promise<number | null>;
}

export interface HistoryEntry {
  id: string;
  taskId: string;
  orgId: string;
  actor: string | null;
  action: 'create' | 'update' | 'delete' | 'enable' | 'disable';
  diff: unknown;
  at: number;
}

export interface HistoryRepo {
  add(entry: HistoryEntry): Promise<void>;
  addMany(entries: readonly HistoryEntry[]): Promise<void>;
  list(taskId: string, page: Page): Promise<Paged<HistoryEntry>>;
}
