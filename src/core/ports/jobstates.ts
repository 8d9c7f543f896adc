import type { Jobstate, JobstateReason, JobstateRunner, JobstateStatus } from '../model.ts';
import type { Page, Paged } from './page.ts';

export type JobstateCounts = Record<JobstateStatus, number>;

/** One agent's part of a batch of claims (JobstateRepo.claimForAgents). */
export interface AgentClaimRequest {
  agentId: string;
  /** How many of its prepared jobstates it may take at most. */
  capacity: number;
  /** Jobstates it holds already: not handed to it again. */
  skip: readonly string[];
}

/** What a contact's reconcile compares of each jobstate running on the agent (listRunningOnAgents). */
export type RunningOnAgent = Pick<Jobstate, 'id' | 'startedAt' | 'eventSeq'>;

export type JobstatePatch = Partial<
  Pick<
    Jobstate,
    | 'status'
    | 'reason'
    | 'attempt'
    | 'params'
    | 'dueAt'
    | 'windowClosesAt'
    | 'preparedAt'
    | 'startedAt'
    | 'finishedAt'
    | 'leaseOwner'
    | 'leaseExpiresAt'
    | 'checkpoint'
    | 'result'
    | 'eventSeq'
    | 'progress'
    | 'elapsedMs'
  >
>;

/** Conditions an update must still meet; it changes nothing (returns false) otherwise. */
export interface JobstateFence {
  status?: JobstateStatus[];
  attempt?: number;
  leaseOwner?: string | null;
  /** Its lease still ended before this time: one its owner renewed meanwhile is not up for recovery. */
  leaseExpiredBefore?: number;
  /** Its agent has reported no event of the attempt yet (a claim whose reply may never have arrived). */
  eventSeq?: number;
}

/**
 * One row of updateOwned: its patch, and what its write is fenced by besides its status:
 * its attempt and who holds it — a server job's lease owner, or an agent job's applied
 * event seq (the compare-and-set of its events calls).
 */
export type OwnedUpdate = { id: string; patch: JobstatePatch & { updatedAt: number } } & HeldBy;

/** What an updateOwned row is fenced by besides its status (OwnedUpdate). */
export type HeldBy = { attempt: number } & (
  | { leaseOwner: string; eventSeq?: undefined }
  | { eventSeq: number; leaseOwner?: undefined }
);

export interface JobstateRepo {
  insertMany(jobstates: Jobstate[]): Promise<void>;
  get(id: string): Promise<Jobstate | null>;
  /** The jobstates of these ids that exist, in no particular order (the events calls of one turn read theirs at once). */
  getMany(ids: readonly string[]): Promise<Jobstate[]>;
  listByRun(runId: string, page: Page): Promise<Paged<Jobstate>>;
  /** Every jobstate of a run (for aggregation and sequencing; runs are bounded in size). */
  allOfRun(runId: string): Promise<Jobstate[]>;
  update(id: string, patch: JobstatePatch & { updatedAt: number }, fence?: JobstateFence): Promise<boolean>;
  /**
   * update() of jobstates each held by its writer (fenced by a status in `status`, its
   * attempt, and its lease owner or its event seq), in one statement: a batch of chunk
   * results or of agent events costs one write, not one each. Every patch sets the same
   * columns, and every row is fenced the same way. Returns how many landed.
   */
  updateOwned(rows: readonly OwnedUpdate[], status: JobstateStatus[]): Promise<number>;
  /** Sets every non-terminal jobstate of a run to `status` with `reason`; returns their ids. */
  endOpenOfRun(runId: string, status: JobstateStatus, reason: JobstateReason, at: number): Promise<string[]>;
  countsByRun(runId: string): Promise<JobstateCounts>;
  /** How many jobstates are in each status, over every org; `serverOnly`: those the server runs (runner 'server'). */
  countByStatus(opts?: { serverOnly?: boolean }): Promise<JobstateCounts>;
  /** Waiting jobstates of running runs with dueAt <= now, oldest due first. */
  listDueWaiting(now: number, limit: number): Promise<Jobstate[]>;
  /**
   * Atomically moves up to `limit` prepared jobstates the server runs (runner 'server') to
   * running, leased to `owner` until `leaseUntil`, and returns them. Two claimers never get the same one.
   * Neither claim takes a jobstate whose window closed (windowClosesAt <= now).
   */
  claimServer(owner: string, now: number, leaseUntil: number, limit: number): Promise<Jobstate[]>;
  /**
   * Atomically moves, for each request (the contacts of one group commit), up to its
   * `capacity` of its agent's prepared jobstates (runner 'agent') to running, earliest
   * prepared first, with startedAt = now and eventSeq = 0, leaving out those in its `skip`
   * (that agent's alone), and returns them in the order of `requests`. A request of
   * capacity 0 takes nothing; an agent named twice claims twice, one after the other. Two
   * concurrent claims (of these agents or of others) never get the same one. Costs a few
   * statements whatever the number of agents.
   */
  claimForAgents(requests: readonly AgentClaimRequest[], now: number): Promise<Jobstate[][]>;
  /**
   * The agent jobstates running on each of `agentIds` (the contacts of one turn), keyed by
   * agent, in no set order: id, start and applied event seq only. Every contact reads them
   * (AgentDispatch.reconcile), and most find none or nothing to act on: a whole row each
   * would cost several times as much. No limit: a list cut short would tell the agent to
   * stop jobs it rightly runs, and an agent runs at most what its contacts claimed (their
   * capacity is at most 100).
   */
  listRunningOnAgents(agentIds: readonly string[]): Promise<Map<string, RunningOnAgent[]>>;
  /** The agent's jobstates in one of `statuses` (optionally of one runner, of one run), oldest first. */
  listForAgent(
    agentId: string,
    filter: { statuses: readonly JobstateStatus[]; runner?: JobstateRunner; runId?: string },
    limit: number,
  ): Promise<Jobstate[]>;
  /**
   * Moves a running attempt's applied agent event seq from `from` to `to` (compare-and-set);
   * false when the jobstate is no longer running that attempt or another writer moved it first.
   */
  advanceEventSeq(id: string, attempt: number, from: number, to: number, at: number): Promise<boolean>;
  /** Extends the lease of jobstates still running under `owner`; returns the ids it extended. */
  renewLeases(owner: string, ids: string[], leaseUntil: number): Promise<string[]>;
  /**
   * Running agent jobstates (runner 'agent') whose startedAt + timeout <= now. Server
   * jobstates are not listed: the node running one measures its timeout itself.
   */
  listTimedOut(now: number, limit: number): Promise<Jobstate[]>;
  /**
   * Moves startedAt of running agent jobstates by `deltaMs`; returns how many. For a store
   * only one node uses (its clock is the database clock): when that clock jumps, their
   * deadlines keep their length.
   */
  shiftAgentStarts(deltaMs: number): Promise<number>;
  /** Running server jobstates whose lease expired before now. */
  listLeaseExpired(now: number, limit: number): Promise<Jobstate[]>;
  /** Prepared agent jobstates (runner 'agent') whose preparedAt + their task's expireAfter <= now. */
  listPreparedExpired(now: number, limit: number): Promise<Jobstate[]>;
  /**
   * Jobstates whose window closed (windowClosesAt <= now) that wait for the engine: the
   * prepared ones, and the running ones of tasks whose timeslotEnd is `cancel`. Earliest
   * first; in a transaction, locked for it where the backend can, skipping rows others hold.
   */
  listWindowClosed(now: number, limit: number): Promise<Jobstate[]>;
  /**
   * How many jobstates of `module` are prepared or running in the org. Inside a transaction,
   * where the backend has row locks, it share-locks them: a concurrent transaction ending one
   * of them is waited for (and its end seen), or waits for the caller's transaction. And two
   * transactions asking it for the same (org, module) take turns: the second asks once the
   * first ended, and counts what the first prepared.
   */
  countBusy(orgId: string, module: string): Promise<number>;
  /**
   * These jobstates as they are now. Inside a transaction, where the backend has row locks,
   * it share-locks them: a concurrent transaction ending one is waited for (and its end
   * seen), or waits for the caller's transaction to end first.
   */
  getShared(ids: readonly string[]): Promise<Jobstate[]>;
  /**
   * Earliest time something needs the engine: a waiting dueAt, a lease end, an agent
   * jobstate's startedAt + timeout + `agentGraceMs` (see listTimedOut), or a window close
   * (listWindowClosed's).
   */
  nextWakeAt(agentGraceMs?: number): Promise<number | null>;
  /**
   * Sets dueAt = now on waiting jobstates parked with `reason` (dueAt null or later than
   * now) that match the filter: the release of jobs waiting on a previous job or on a busy
   * module. Returns how many it woke.
   */
  wake(
    filter: { reason: JobstateReason; runId?: string; jobIndex?: number; orgId?: string; module?: string },
    now: number,
  ): Promise<number>;
}
