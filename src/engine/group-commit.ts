import type { Jobstate, JobstateStatus } from '../core/model.ts';
import type {
  AgentClaimRequest,
  HeldBy,
  JobstateFence,
  LedgerEntry,
  OwnedUpdate,
  StoreSession,
} from '../core/ports/store.ts';
import { type EngineContext, type UnitOfWork, withTx } from './context.ts';
import { flushingFirst, type Untouched, withRepos } from './firing-batch.ts';
import { BatchedRunEnds, closesWithItsBatch } from './runs.ts';

/** A write of one chunk's result: whether it landed (false: its fence refused it). */
export type ChunkWrite = (uow: UnitOfWork) => Promise<boolean>;

/** What a write that may end a jobstate touches: the run it may complete and the task it reads. */
export interface JobstateEnd {
  runId: string;
  taskId: string;
  /** Its run's close is decided as the jobstate ends (not closesWithItsBatch): the batch locks that run before any write. */
  closesAsItEnds: boolean;
}

/** The JobstateEnd of a write that may end `js`. */
export const endOf = (js: Jobstate): JobstateEnd => ({
  runId: js.runId,
  taskId: js.taskId,
  closesAsItEnds: !closesWithItsBatch(js),
});

/** An agent's claim made with its batch's: the claims of a batch cost one claim of them all. */
export interface BatchedClaim extends AgentClaimRequest {
  /** Aborted (its contact went away): it claims nothing, nobody would receive it. */
  stop?: AbortSignal | undefined;
  /** Its contact's time, to write as the agent's `lastContactAt` with the batch's others (touchTogether), or null. */
  touchAt?: number | null | undefined;
  /** What it claimed, set in its batch's transaction before its write runs. */
  claimed: Jobstate[];
}

/** What a write brings to its batch besides itself. */
export interface WriteWith {
  ends?: JobstateEnd | null;
  claim?: BatchedClaim | null;
  /** The jobstate whose stored log lines the write counts (an events call's cap, UnitOfWork.reads.logCount), or null. */
  countsLinesOf?: string | null;
  /** Log lines the write appends: a batch carries at most MAX_BATCH_LINES of them, or its first write alone. */
  lines?: number;
}

interface Queued {
  /** Null: a claim alone, with nothing of its own to write. */
  write: ChunkWrite | null;
  /** The run and task of the jobstate the write may end, or null. */
  ends: JobstateEnd | null;
  claim: BatchedClaim | null;
  countsLinesOf: string | null;
  lines: number;
  resolve(landed: boolean): void;
  reject(error: unknown): void;
}

/**
 * Writes per transaction where statements run on the event loop (SQLite). A batch holds
 * every request behind it while it runs, but under load the writes queue anyway, and a
 * batch's fixed statements (run locks, task reads, claims, held updates, COMMIT) are paid
 * once for all of them: at 200 rather than 50, the fleet bench's ten runs over 1,000 agents
 * cost about a tenth less CPU per jobstate, and a batch of light writes holds the event
 * loop about 10 ms. Heavy writes are bounded by their lines instead (MAX_BATCH_LINES).
 */
export const MAX_BATCH = 200;
/**
 * Log lines a batch carries at most, past its first write: an events call may carry 1,000
 * lines, and a batch of such calls, counted by writes alone, would hold the event loop
 * (SQLite) or a connection with its rows locked (PostgreSQL) for as long as 200,000 inserts.
 */
export const MAX_BATCH_LINES = 5_000;
/**
 * Writes per transaction where each statement is a round trip (PostgreSQL): a batch costs
 * its dozen round trips whatever its size, so a thousand agents' calls go in two batches,
 * not twenty (fleet bench, 1,000 agents: start call → every agent holds its job p99 390 →
 * 200 ms at 200 a batch, 170–230 ms at 500). It bounds how long a batch holds its rows.
 */
export const MAX_BATCH_ROUND_TRIPS = 500;
/** Batches committing at once where rows lock (GroupCommit). */
export const COMMITS_IN_FLIGHT = 2;

/**
 * Group commit for the executor's chunk results, and for the claims, events and contact
 * records of agents (AgentDispatch): the first write goes at the next turn of the event
 * loop (setImmediate), with every write made before it (every request read in that turn); the writes that arrive
 * while its transaction is on its way go together in the next one. A busy node pays one
 * BEGIN/COMMIT per batch instead of per job; an idle one waits one turn. The turn matters
 * where the store answers synchronously (SQLite): a transaction started at once would run
 * to its COMMIT in microtasks, before the chunks claimed with this one (each resuming in
 * its own turn, busyTurn) had their result, and every job would pay its own transaction.
 *
 * A batch locks the runs its jobstate ends may complete in one statement
 * (completeManyIfDone), rather than one lock per end (where rows lock), and only once its
 * writes are made (its held log lines and ledger entries too), just before it reads
 * whether they completed them: that read comes after the lock, so it sees the ends of any
 * batch that held the run before (READ COMMITTED).
 * Two batches ending jobs of one run then wait for each other's close and COMMIT only,
 * not for each other's claims and writes (fleet bench, PostgreSQL, one run's statement
 * log: 3.0 s waiting for run locks before, 0.2 s after). A run whose close is decided as
 * each of its jobstates ends (a staged rollout's) is locked at the batch's start instead,
 * so every batch takes its run locks in one order (those, by id, then the others, by id)
 * and no two wait for each other in a circle. Its tasks are read in one statement too:
 * 1,000 jobs of 1,000 tasks due at once cost no read of a task each.
 *
 * The writes of a batch succeed or fail together, so when a batch fails each of its
 * writes is tried again alone: one write the store rejects must not sink the others. A
 * refused fence is no failure (the write returns false and changes nothing).
 *
 * Where rows lock (PostgreSQL), up to COMMITS_IN_FLIGHT batches go at once, each on its own
 * connection: a batch spends most of its time waiting for the database's answers (a dozen
 * round trips), and the next one need not wait for them. They are apart as two nodes' are:
 * claims pass over locked rows, runs are held in id order, every write is fenced. Without
 * row locks (SQLite) one writer holds the database, and a second batch would only queue.
 */
export class GroupCommit {
  private queue: Queued[] = [];
  /** Flush loops running, at most `inFlight`; a next one waits for the next turn (`scheduled`). */
  private flushers = 0;
  private scheduled = false;
  private readonly inFlight: number;
  private readonly maxBatch: number;

  constructor(private readonly ctx: EngineContext) {
    this.inFlight = ctx.store.capabilities.rowLocks ? COMMITS_IN_FLIGHT : 1;
    this.maxBatch = ctx.store.capabilities.roundTrips ? MAX_BATCH_ROUND_TRIPS : MAX_BATCH;
  }

  /**
   * `ends`: the jobstate's run, whose lock is taken with the batch's in one statement, and
   * its task, read with the batch's in one statement. `claim`: claimed with the batch's
   * (JobstateRepo.claimForAgents) before the writes run. `countsLinesOf`: its lines
   * counted with the batch's in one statement, before the writes run.
   */
  write(
    write: ChunkWrite | null,
    { ends = null, claim = null, countsLinesOf = null, lines = 0 }: WriteWith = {},
  ): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, ends, claim, countsLinesOf, lines, resolve, reject });
      this.schedule();
    });
  }

  /** A flush loop at the next turn, with every write made before it, if fewer than `inFlight` run. */
  private schedule(): void {
    if (this.scheduled || this.flushers >= this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.queue.length === 0) return;
      this.flushers++;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, batchLength(this.queue, this.maxBatch));
      // More than a batch waits: another loop may take the rest while this one commits.
      if (this.queue.length > 0) this.schedule();
      try {
        const landed = await this.commit(batch);
        for (const [i, queued] of batch.entries()) queued.resolve(landed[i] as boolean);
      } catch (error) {
        if (batch.length === 1) (batch[0] as Queued).reject(error);
        else
          for (const queued of batch)
            await this.commit([queued]).then(([l]) => queued.resolve(l as boolean), queued.reject);
      }
    }
    this.flushers--;
  }

  /** A batch of several holds its chunk results' updates (writeBehind); one alone, tried again, writes each as it goes. */
  private commit(batch: Queued[]): Promise<boolean[]> {
    if (batch.every(claimAlone)) return this.claimOnly(batch);
    return withTx(this.ctx, async (uow) => {
      const { session, flush } = writeBehind(uow.tx, batch.length > 1);
      const batchUow = { ...uow.over(session), batchEnds: new BatchedRunEnds() };
      const landed: boolean[] = [];
      const ends = batch.flatMap((queued) => (queued.ends ? [queued.ends] : []));
      await uow.tx.runs.holdForCompletion(ends.flatMap((end) => (end.closesAsItEnds ? [end.runId] : [])));
      await uow.reads.readTasks(ends.map((end) => end.taskId));
      // Each events call with lines counts its jobstate's (the cap): one round trip each, one after the other, otherwise.
      await uow.reads.readLogCounts(batch.flatMap((queued) => (queued.countsLinesOf ? [queued.countsLinesOf] : [])));
      await claimTogether(uow, batch);
      await touchTogether(uow.tx, batch);
      for (const queued of batch) landed.push(queued.write ? await queued.write(batchUow) : true);
      // Written before the runs are locked: the lock then waits on no insert, only the completion and the COMMIT.
      await flush();
      await batchUow.batchEnds.settle(batchUow);
      await flush();
      return landed;
    });
  }

  /**
   * A batch of claims alone (idle contacts, most of a fleet's requests): claimForAgents is
   * atomic by itself (one statement on PostgreSQL; on SQLite an empty pick, the common case,
   * needs no transaction), so no BEGIN/COMMIT wraps it. What was claimed is announced after.
   */
  private async claimOnly(batch: Queued[]): Promise<boolean[]> {
    const claimed = await claimAll(this.ctx.store, batch, this.ctx.clock.now());
    for (const js of claimed) this.ctx.notify({ type: 'jobstate', jobstate: js });
    return batch.map(() => true);
  }
}

/** How many of the first writes of `queue` make the next batch: at most `maxBatch`, and MAX_BATCH_LINES lines past the first. */
function batchLength(queue: readonly Queued[], maxBatch: number): number {
  let lines = queue[0]?.lines ?? 0;
  let length = 1;
  for (; length < Math.min(queue.length, maxBatch); length++) {
    lines += (queue[length] as Queued).lines;
    if (lines > MAX_BATCH_LINES) break;
  }
  return length;
}

/** A claim with nothing to write: a contact's record (touchAt) goes in its batch's transaction, one commit. */
const claimAlone = (queued: Queued) =>
  queued.write === null && queued.ends === null && (queued.claim?.touchAt ?? null) === null;

/** The batch's claims, in one claimForAgents: a batch tried again (alone) claims again. */
async function claimTogether(uow: UnitOfWork, batch: readonly Queued[]): Promise<void> {
  for (const js of await claimAll(uow.tx, batch, uow.now)) uow.emit({ type: 'jobstate', jobstate: js });
}

/** Claims for the batch's claims (those whose contact is still there) in one claimForAgents; returns what they took. */
async function claimAll(session: StoreSession, batch: readonly Queued[], now: number): Promise<Jobstate[]> {
  const claims: BatchedClaim[] = [];
  for (const { claim } of batch) {
    if (!claim) continue;
    claim.claimed = [];
    if (!claim.stop?.aborted) claims.push(claim);
  }
  if (claims.length === 0) return [];
  const claimed = await session.jobstates.claimForAgents(claims, now);
  for (const [i, claim] of claims.entries()) claim.claimed = claimed[i] ?? [];
  return claims.flatMap((claim) => claim.claimed);
}

/**
 * The `lastContactAt` of the batch's contacts that have one to write (BatchedClaim.touchAt),
 * in one statement: the latest of their times, milliseconds apart, for them all. One update
 * per contact cost a round trip each on PostgreSQL, one after the other in the batch's
 * transaction: a batch of 360 contacts due for their touch took 238 ms (fleet bench).
 */
async function touchTogether(session: StoreSession, batch: readonly Queued[]): Promise<void> {
  const ids: string[] = [];
  let at = Number.NEGATIVE_INFINITY;
  for (const { claim } of batch) {
    if (claim?.touchAt == null) continue;
    ids.push(claim.agentId);
    at = Math.max(at, claim.touchAt);
  }
  if (ids.length > 0) await session.agents.touchContacts(ids, at);
}

/**
 * A held update of the batch did not land at its flush (its jobstate was taken over or
 * ended meanwhile): the batch is rolled back, and each of its writes tried again alone,
 * where each fenced update answers for itself (GroupCommit.flush).
 */
class OwnedUpdateRefused extends Error {
  constructor() {
    super('a chunk result of the batch lost its lease');
  }
}

/**
 * Reads that touch no row the batch holds back (jobstate updates): answered without writing
 * what it holds. A log count is one (the events calls' cap): held lines are not counted
 * either way.
 */
const UNTOUCHED: Untouched = {
  tasks: ['get', 'getMany', 'getByName'],
  orgs: ['get', 'settings'],
  calendars: ['resolve'],
  logs: ['count'],
};

/**
 * The held part of an update's fence, when updateOwned can write it: a status and attempt,
 * and either a lease owner (a chunk result) or an event seq (an agent's events), nothing else.
 */
function ownedFence(fence: JobstateFence | undefined): HeldBy | null {
  if (!fence?.status?.length || typeof fence.attempt !== 'number' || fence.leaseExpiredBefore !== undefined)
    return null;
  const { attempt, leaseOwner, eventSeq } = fence;
  if (typeof leaseOwner === 'string' && eventSeq === undefined) return { attempt, leaseOwner };
  if (leaseOwner === undefined && typeof eventSeq === 'number') return { attempt, eventSeq };
  return null;
}

/**
 * The batch's session: log lines and ledger entries, which nothing in the batch reads
 * back, are held and written at its end in one INSERT each (a task is read once per batch
 * through the unit of work's reads). With `holdUpdates`, so are the updates fenced by a
 * lease (chunk results), one updateOwned per set of columns, answered "landed" when held:
 * any other use of the session writes them first, and one that does not land throws
 * OwnedUpdateRefused. A batch of fifty jobs of one task costs a handful of statements more
 * than one, not fifty updates.
 */
function writeBehind(tx: StoreSession, holdUpdates: boolean): { session: StoreSession; flush(): Promise<void> } {
  const logs: Parameters<StoreSession['logs']['appendMany']>[0][number][] = [];
  const ledger: LedgerEntry[] = [];
  const updates = new Map<string, { status: JobstateStatus[]; rows: OwnedUpdate[] }>();
  const heldIds = new Set<string>();
  const flushUpdates = async () => {
    const groups = [...updates.values()];
    updates.clear();
    heldIds.clear();
    for (const { status, rows } of groups) {
      if ((await tx.jobstates.updateOwned(rows, status)) !== rows.length) throw new OwnedUpdateRefused();
    }
  };
  const flushing = flushingFirst(tx, flushUpdates, UNTOUCHED);
  const session = withRepos(flushing, {
    jobstates: {
      ...flushing.jobstates,
      update: async (id, patch, fence) => {
        const held = holdUpdates && !heldIds.has(id) ? ownedFence(fence) : null;
        if (!held || !fence?.status) return flushing.jobstates.update(id, patch, fence);
        const columns = Object.keys(patch).filter((key) => patch[key as keyof typeof patch] !== undefined);
        const holder = held.leaseOwner === undefined ? 'seq' : 'lease';
        const key = `${columns.sort().join(',')}|${fence.status.join(',')}|${holder}`;
        const group = updates.get(key) ?? { status: fence.status, rows: [] };
        updates.set(key, group);
        group.rows.push({ id, patch, ...held });
        heldIds.add(id);
        return true;
      },
    },
    logs: {
      ...flushing.logs,
      append: async (jobstateId, attempt, lines) => {
        logs.push({ jobstateId, attempt, lines });
      },
    },
    ledger: {
      ...flushing.ledger,
      record: async (entry) => {
        ledger.push(entry);
      },
    },
  });
  return {
    session,
    /** Writes what is held (and holds nothing more): again after more was held, it writes only that. */
    async flush() {
      await flushUpdates();
      await tx.logs.appendMany(logs.splice(0));
      await tx.ledger.recordMany(ledger.splice(0));
    },
  };
}
