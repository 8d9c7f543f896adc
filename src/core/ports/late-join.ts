// The late-joiner part of the Store port (core/late-join.ts, engine/late-join.ts).
import type { Jobstate, Run } from '../model.ts';

export interface LateJoinRepo {
  /** Opens the run's join window until `until`: it does not end before that (completeIfDone waits). */
  open(runId: string, until: number): Promise<void>;
  /** The org's running runs whose join window is open at `now`. */
  openRuns(orgId: string, now: number): Promise<Run[]>;
  /**
   * Holds the run's window open for this transaction if it still is at `now` (locks the
   * run row where the backend can): a window closing meanwhile waits, then sees what joined.
   * False: closed, nothing may join.
   */
  hold(runId: string, now: number): Promise<boolean>;
  /** The job indexes `agentId` has jobstates of in the run. */
  jobsOf(runId: string, agentId: string): Promise<number[]>;
  /** Writes late joiners' jobstates, skipping any (run, job, agent) that has one already; returns those written. */
  insert(jobstates: readonly Jobstate[]): Promise<Jobstate[]>;
  /** Closes up to `limit` windows that passed at `now` on running runs; returns those runs (to end the finished ones). */
  closeDue(now: number, limit: number): Promise<Run[]>;
  /** The earliest end of an open window, for the engine's sleep. */
  nextCloseAt(): Promise<number | null>;
  /** How many agents joined the run late. */
  joinedCount(runId: string): Promise<number>;
}
