import type { Run } from '../model.ts';
import type { RunRollout, TargetTally } from '../rollout.ts';

/** A target of a rollout run as the store tallies its jobstates (null agentId: the server). */
export interface StoredTargetTally extends TargetTally {
  agentId: string | null;
}

/** The store's part of staged rollouts (engine/rollout.ts decides, core/rollout.ts counts). */
export interface RolloutRepo {
  /**
   * The run as it is now; inside a transaction, where the backend has row locks, its row is
   * locked until the transaction ends (the lock completeIfDone takes): decisions about its
   * waves and the end of its jobstates then take turns.
   */
  lockRun(runId: string): Promise<Run | null>;
  /** Writes a new run's rollout (its plan and first open wave). */
  setPlan(runId: string, rollout: RunRollout): Promise<void>;
  /** The names of those of the org's agents among `ids` that exist. */
  agentNames(orgId: string, ids: readonly string[]): Promise<Map<string, string>>;
  /** Opens `wave` of a running rollout run whose open waves are `wave - 1` (compare-and-set); whether it did. */
  openWave(runId: string, wave: number): Promise<boolean>;
  /** How many jobstates of the run's waves up to `wave` have not ended. */
  countOpen(runId: string, wave: number): Promise<number>;
  /** Each target of the run (wave, agent): whether its job chain is open, failed, and when it last ended. */
  tally(runId: string): Promise<StoredTargetTally[]>;
  /**
   * Sets dueAt to `dueAt` on the run's jobstates waiting for `wave` (reason rollout_wave)
   * that have none or a later one: the loop advances them then. Returns how many.
   */
  release(runId: string, wave: number, dueAt: number, now: number): Promise<number>;
  /**
   * A run halted by its rollout (error, rollout_halted) goes back to running, its
   * jobstates cancelled by the halt back to waiting for their wave. False, changing
   * nothing, when the run is not halted.
   */
  reopenHalted(runId: string, now: number): Promise<boolean>;
}
