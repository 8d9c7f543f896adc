import type { Run, RunStatus } from '../model.ts';
import type { Page, Paged } from './page.ts';

export interface RunFilter {
  orgId?: string | undefined;
  taskId?: string | undefined;
  status?: RunStatus[] | undefined;
  /** since <= createdAt < until. */
  since?: number | undefined;
  until?: number | undefined;
}

export interface NewRun extends Omit<Run, 'startedAt' | 'finishedAt' | 'missed'> {
  /** Uniqueness key per task: the fire time for scheduled firings, the run id otherwise. */
  fireKey: string;
  /** A run inserted `running` (started as it was created); null or absent otherwise. */
  startedAt?: number | null;
  /** A `missed` run: the firings of the outage it records; null or absent otherwise. */
  missed?: Run['missed'];
}

export interface RunRepo {
  /** Inserts the run; returns false (and writes nothing) when (taskId, fireKey) exists. */
  insert(run: NewRun): Promise<boolean>;
  /** Inserts the runs, skipping those whose (taskId, fireKey) exists; returns how many it inserted. */
  insertMany(runs: readonly NewRun[]): Promise<number>;
  get(id: string): Promise<Run | null>;
  /** Applies `patch` if the run's status is one of `fromStatus` (when given); returns whether it did. */
  update(
    id: string,
    patch: Partial<Omit<Run, 'id' | 'missed' | 'rollout'>>,
    fromStatus?: RunStatus[],
  ): Promise<boolean>;
  /** Newest first (every other paged list is oldest first). */
  list(filter: RunFilter, page: Page): Promise<Paged<Run>>;
  /** Pending runs whose startAt <= now, oldest first. */
  listStartable(now: number, limit: number): Promise<Run[]>;
  /** Pending and running runs of a task, oldest first. */
  listActive(taskId: string): Promise<Run[]>;
  /** listActive of several tasks at once: pending and running runs of any of them, oldest first. */
  listActiveOf(taskIds: readonly string[]): Promise<Run[]>;
  /**
   * Ends a running run once none of its jobstates is open: `error` if one errored, else
   * `finished`, at `now`. Returns the ended run, or null (still open, or not running).
   * Safe against concurrent transactions ending its last jobstates at the same time.
   */
  completeIfDone(runId: string, now: number): Promise<Run | null>;
  /**
   * In a transaction, where rows lock: locks these runs' rows (in id order) until it ends,
   * so completeIfDone on them takes no lock of its own: a batch of jobstate ends locks its
   * runs with one statement, not one each. A no-op elsewhere.
   */
  holdForCompletion(runIds: readonly string[]): Promise<void>;
  /**
   * completeIfDone for many runs in one statement (holding them first, where rows lock):
   * the runs it ended, by id. A batch of jobstate ends closes its runs together.
   */
  completeManyIfDone(runIds: readonly string[], now: number): Promise<Run[]>;
  /** The task's most recent run (by fireAt), if any. */
  latest(taskId: string): Promise<Run | null>;
  /** Deletes up to `limit` of the org's terminal runs finished before `before` (with their jobstates and logs). */
  deleteFinishedBefore(orgId: string, before: number, limit: number): Promise<number>;
  /** How many runs are in each status, over every org (metrics gauges). */
  countByStatus(): Promise<Record<RunStatus, number>>;
}
