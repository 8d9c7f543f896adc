import { busyTurn } from '../core/clock.ts';
import { isStoreOutage, TaskwardenError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { moveJobstate } from '../core/lifecycle.ts';
import type { Jobstate, LogLine } from '../core/model.ts';
import type { ExecuteOutcome } from '../core/ports/module.ts';
import { ChunkBudget } from './chunk-budget.ts';
import { elapsedOf, endTimedOut, nextTimeoutIn, type TimedChunk } from './chunk-timeouts.ts';
import { jobProcesses } from './command-processes.ts';
import type { EngineContext, UnitOfWork } from './context.ts';
import { endOf, GroupCommit } from './group-commit.ts';
import { LogSink } from './log-sink.ts';
import { endJobstate, reportOutcome } from './outcomes.ts';

interface InFlight extends TimedChunk {
  done: Promise<void>;
  /** Until when its lease is known to be ours: the claim's or the last renewal's end. */
  leaseUntil: number;
  /** The module's execute has not returned yet (after it, only the fenced write of its result is left). */
  working: boolean;
}

/** Why a chunk was stopped; only a shutdown still writes what the chunk returned. */
const SHUTDOWN = 'shutdown';
/** The heartbeat found the jobstate no longer ours: what the chunk did is thrown away, logs included. */
const LEASE_LOST = 'lease_lost';
/** First wait before a store write is tried again; it doubles up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2_000;
/**
 * Chunks whose module returned but whose result is not written yet, beyond the slots: a
 * slot is free once its module's execute returned, its result goes to the group commit
 * behind it. It bounds what a slow store lets pile up.
 */
const WRITE_BEHIND = 50;

/**
 * Runs server-side jobstates on this node: claims prepared ones up to its concurrency,
 * each under a lease it renews by heartbeat, and runs one chunk of the module's
 * `execute` with a deadline. A chunk that returns a checkpoint goes back to `prepared`
 * and is claimed again later (so long jobs share the pool fairly and survive a crash);
 * a finished one is reported through endJobstate. Every claim has its own lease owner
 * token, so a write from a chunk whose lease was taken over is refused by the store; the
 * chunk's log lines are written only with a write that landed. Chunk results are written
 * by group commit: many per transaction on a busy node.
 *
 * Chunks let the event loop turn between them (busyTurn: at least every 10 ms of work):
 * with a store that answers synchronously (SQLite), a job of a million empty chunks would
 * otherwise run them back to back without ever letting an HTTP request, a timer or a
 * signal handler in. A chunk that
 * runs past its budget is reported (ChunkBudget). A module that blocks synchronously inside
 * one execute still blocks the node for that long: modules run on the event loop, not in
 * worker threads, so they must do their work in steps and return by their deadline.
 *
 * A chunk's writes are retried through a database outage for up to the lease time; past
 * it another node (or this one's sweeper) recovers the jobstate from its lease. Where other
 * nodes may do so, a node that cannot renew a lease stops the chunk itself once half the
 * lease is gone (unrenewed), so the program of a command is dead before a retry can start.
 *
 * Time: this node measures what it runs on its monotonic clock (the chunk's deadline, the
 * job's timeout, the heartbeat cadence), so setting the wall clock neither ends nor stretches
 * a chunk. What other nodes read stays in database time: lease ends (`now()` + leaseMs),
 * startedAt. A job's timeout bounds the time its chunks ran: what earlier chunks ran (on
 * any node) is stored with the jobstate (elapsedMs), this chunk's time is measured here;
 * time spent prepared between chunks (waiting for a free slot) does not count.
 */
export class Executor {
  /**
   * One entry per claim, not per jobstate: a chunk whose result write is tried again (its
   * first try landed, its answer was lost) is still here when the next chunk of the same
   * jobstate is claimed, and each keeps its own lease, renewal and end.
   */
  private readonly inFlight = new Set<InFlight>();
  private readonly commits: GroupCommit;
  /** Monotonic time of the last lease renewal. */
  private lastHeartbeat = Number.NEGATIVE_INFINITY;
  /** The latest pump; the next one starts after it. */
  private pumping: Promise<unknown> = Promise.resolve();
  /** A kick waits for the pump on its way: more kicks meanwhile add nothing. */
  private kicked = false;
  /** Chunks in flight whose module's execute has not returned: the slots taken. */
  private executing = 0;
  /** The last claim filled every free slot: more prepared jobstates are likely waiting. */
  private backlog = false;

  constructor(private readonly ctx: EngineContext) {
    this.commits = new GroupCommit(ctx);
  }

  get busy(): number {
    return this.inFlight.size;
  }

  /**
   * Claims and starts as many prepared server jobstates as there are free slots. Pumps
   * never overlap: two at once would both count the same free slots and overbook them.
   */
  pump(): Promise<number> {
    const next = this.pumping.then(() => this.claimAndStart());
    this.pumping = next.catch(() => 0);
    return next;
  }

  /**
   * A pump in the background, between the loop's passes: a prepared jobstate or a freed
   * slot is taken up at the next turn of the event loop. Kicks made until then, or while
   * a pump is on its way, are served by one more. The turn lets the slots freed by one
   * group commit (all its chunks end in the same turn) be claimed by one statement,
   * not one each: one claim per job would also split the next batch of results apart.
   * A failure is left to the loop, woken to pump again and report the outage.
   */
  kick(): void {
    if (this.kicked) return;
    this.kicked = true;
    setImmediate(() => {
      void this.pumping.then(() => {
        this.kicked = false;
        return this.pump().catch(() => this.ctx.wake());
      });
    });
  }

  /**
   * Slots are the chunks executing (a module's execute under way), not the chunks in flight:
   * a trivial job's slot is taken again while its result waits for the group commit, so a
   * burst of 1,000 due at once on 10 slots is not 100 claim → execute → commit rounds in a
   * row, and one commit writes the results of several rounds (at most WRITE_BEHIND wait).
   */
  private async claimAndStart(): Promise<number> {
    const { executorConcurrency } = this.ctx.options;
    const free = Math.min(
      executorConcurrency - this.executing,
      executorConcurrency + WRITE_BEHIND - this.inFlight.size,
    );
    if (free <= 0) return 0;
    const { clock } = this.ctx;
    const now = clock.now();
    const owner = `${this.ctx.options.nodeId}/${newId()}`;
    const claimed = await this.ctx.store.jobstates.claimServer(owner, now, now + this.ctx.options.leaseMs, free);
    const claimedAt = clock.monotonic();
    this.backlog = claimed.length === free;
    for (const js of claimed) {
      const controller = new AbortController();
      const leaseUntil = now + this.ctx.options.leaseMs;
      const timeoutAt = claimedAt + js.timeoutSeconds * 1000 - js.elapsedMs;
      const entry: InFlight = {
        owner,
        controller,
        done: Promise.resolve(),
        leaseUntil,
        working: true,
        js,
        claimedAt,
        timeoutAt,
      };
      this.inFlight.add(entry);
      this.executing++;
      this.ctx.notify({ type: 'jobstate', jobstate: js });
      entry.done = this.runChunk(entry, now)
        .catch((err: unknown) => {
          const why = err instanceof Error ? err.message : String(err);
          this.ctx.log.warn(
            `jobstate ${js.id}: its chunk's result could not be written (${why}); its lease will lapse`,
          );
        })
        .finally(() => {
          this.inFlight.delete(entry);
          if (entry.working) this.executed(entry);
          this.ctx.kick();
        });
    }
    return claimed.length;
  }

  /**
   * Renews the leases of running chunks every third of the lease time (monotonic), or at
   * once when `force`d (the clock jumped: the leases must be stamped in the new time before
   * anyone compares them with it); a chunk whose lease was lost is stopped (a program it
   * runs is killed with its group). When the renewal fails, chunks whose lease is half gone
   * are stopped too (unrenewed).
   */
  async heartbeat(force = false): Promise<void> {
    const { leaseMs } = this.ctx.options;
    const beatAt = this.ctx.clock.monotonic();
    if (!force && beatAt - this.lastHeartbeat < leaseMs / 3) return;
    // A claim on its way stamped its leases with the time it was sent: they are renewed with
    // the others, or a sweep after a clock jump (or a stall) would take them for a dead node's.
    await this.pumping;
    const now = this.ctx.clock.now();
    const byOwner = new Map<string, InFlight[]>();
    for (const f of this.inFlight) {
      const entries = byOwner.get(f.owner);
      if (entries) entries.push(f);
      else byOwner.set(f.owner, [f]);
    }
    for (const [owner, entries] of byOwner) {
      let kept: Set<string>;
      try {
        const ids = entries.map((f) => f.js.id);
        kept = new Set(await this.ctx.store.jobstates.renewLeases(owner, ids, now + leaseMs));
      } catch (err) {
        this.unrenewed(now);
        throw err;
      }
      // Each answer concerns that claim alone: a later claim of the same jobstate has its own owner.
      for (const f of entries) {
        if (kept.has(f.js.id)) f.leaseUntil = now + leaseMs;
        else f.controller.abort(LEASE_LOST);
      }
    }
    this.lastHeartbeat = beatAt;
  }

  /** Ends the running chunks whose job ran past its timeout (chunk-timeouts.ts); returns how many. */
  endTimedOut(): Promise<number> {
    return endTimedOut(this.ctx, this.inFlight.values());
  }

  /** Milliseconds until the first running job's timeout ends (monotonic), or null when none runs. */
  nextTimeoutIn(): number | null {
    return nextTimeoutIn(this.ctx.clock, this.inFlight.values());
  }

  /**
   * Leases this node cannot renew (the database is out of its reach) are given up while
   * they still hold: once half the lease is gone the chunk is stopped, so a program it runs
   * is dead before another node may take the jobstate over and retry it. Only where other
   * nodes may do so (multiNode); one node alone waits for its database.
   */
  private unrenewed(now: number): void {
    if (!this.ctx.store.capabilities.multiNode) return;
    for (const f of this.inFlight) {
      if (!f.working || f.controller.signal.aborted || f.leaseUntil - now > this.ctx.options.leaseMs / 2) continue;
      this.ctx.log.warn(`jobstate ${f.js.id}: its lease could not be renewed and runs out soon; stopped on this node`);
      f.controller.abort(LEASE_LOST);
    }
  }

  abort(ids: readonly string[], reason: string = 'ended'): void {
    const stopped = new Set(ids);
    for (const f of this.inFlight) if (stopped.has(f.js.id)) f.controller.abort(reason);
  }

  /** Waits for every running chunk to return. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight].map((f) => f.done));
  }

  /** Asks every running chunk to stop and waits for it up to `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    for (const f of this.inFlight) f.controller.abort(SHUTDOWN);
    await Promise.race([this.drain(), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  }

  private async runChunk(entry: InFlight, claimedAt: number): Promise<void> {
    const { ctx } = this;
    const { js, owner } = entry;
    const { signal } = entry.controller;
    const fence = { status: ['running'] as Jobstate['status'][], leaseOwner: owner };
    const module = ctx.modules.get(js.module);
    if (!module?.execute) {
      const result = { error: `module "${js.module}" has no server half on this node` };
      await reportOutcome(ctx, js, { ok: false, reason: 'module_unknown', result }, fence);
      return;
    }
    await busyTurn();
    const started = ctx.clock.monotonic();
    // Its earlier chunks used up its time (the last one returned as the timeout passed): nothing to run.
    if (started >= entry.timeoutAt) {
      await this.persist(() => endTimedOut(ctx, [entry]));
      return;
    }
    // The first chunk of a first attempt (its start is this claim's) has nothing stored yet.
    const fresh = js.attempt === 1 && js.checkpoint == null && js.startedAt === claimedAt;
    const stored = fresh ? 0 : await this.persist(() => ctx.store.logs.count(js.id));
    const logs = new LogSink(ctx, js.id, js.attempt, stored);
    // The task's window closing asks the chunk for a checkpoint too (closeWindows decides
    // what follows); the close is in database time, the deadline on this node's monotonic clock.
    const windowLeftMs = js.windowClosesAt === null ? Number.POSITIVE_INFINITY : js.windowClosesAt - ctx.clock.now();
    const deadline = Math.min(started + ctx.options.chunkMs, entry.timeoutAt, started + windowLeftMs);
    let outcome: ExecuteOutcome;
    const budget = new ChunkBudget(ctx, js, fence);
    try {
      outcome = await module.execute({
        params: js.params,
        jobstate: js,
        checkpoint: js.checkpoint ?? undefined,
        deadline,
        signal,
        clock: ctx.clock,
        log: logs.add,
        services: ctx.services(js.orgId),
        processes: jobProcesses(ctx, js, owner, (call) => this.persist(call)),
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (isStoreOutage(err)) {
        // The store failed, not the module: the chunk runs again from its checkpoint once the store answers.
        logs.add(`the store could not serve this chunk (${why}); it runs again from its checkpoint`, 'info');
        outcome = { done: false, checkpoint: js.checkpoint ?? undefined };
      } else {
        logs.add(`module failed: ${why}`, 'stderr');
        outcome = { done: true, ok: false, reason: 'module_failed', result: { error: String(err) } };
      }
    }
    this.executed(entry);
    const overBudget = budget.end() || js.reason === 'over_budget';
    if (signal.aborted && signal.reason === LEASE_LOST) return this.discarded(js);
    const lines = await logs.drain();
    const elapsedMs = elapsedOf(ctx.clock, entry);
    // Stopped because it was cancelled or timed out: whoever stopped it already wrote the
    // end, and the lines say what the job did until then. A shutdown keeps a checkpoint or
    // a success; a failure caused by the shutdown is left running, for the restart to
    // recover as interrupted.
    if (signal.aborted && (signal.reason !== SHUTDOWN || (outcome.done && !outcome.ok))) {
      await this.persist(() => ctx.store.logs.append(js.id, js.attempt, lines));
      return;
    }
    // The lines go with the fenced write: refused with it when the jobstate is no longer ours.
    const written = await this.persist(() =>
      this.commits.write(
        (uow) => {
          if (outcome.done) {
            const end = { ok: outcome.ok, reason: outcome.reason ?? null, result: outcome.result, lines, elapsedMs };
            return endJobstate(ctx, uow, js, end, fence);
          }
          const chunk = { checkpoint: outcome.checkpoint, overBudget, lines, elapsedMs };
          return backToPrepared(uow, { js, chunk, fence });
        },
        { ends: outcome.done ? endOf(js) : null, lines: lines.length },
      ),
    );
    if (!written) this.discarded(js);
  }

  /**
   * The chunk's module returned (or never ran): its slot is free for the next claim, made
   * at once while the last claim found work for every slot (a burst). Otherwise the slot
   * waits for a kick (a jobstate prepared, a result written): a lone job whose result
   * write is retried through an outage does not claim beside it.
   */
  private executed(entry: InFlight): void {
    entry.working = false;
    this.executing--;
    if (this.backlog) this.ctx.kick();
  }

  private discarded(js: Jobstate): void {
    this.ctx.log.warn(
      `jobstate ${js.id}: no longer ours (its lease was taken over, it ended elsewhere, or an earlier try ` +
        'of this write landed and its answer was lost); ' +
        'this node discards its chunk result',
    );
  }

  /**
   * Runs a store call, again after a growing wait while it fails for want of a database
   * (unreachable, or locked by another process), for up to the lease time from its first
   * failure: a restart of the database does not cost the chunk. Counted from the failure,
   * not from the call: a node frozen mid-write (SIGSTOP, a paused VM) finds its connection
   * gone when it thaws, and its retry is what tells it whether the job is still its own.
   * Fenced writes make a retry safe even when the first try landed but its answer was lost.
   * Other catalog errors are answers, not retried.
   */
  private async persist<T>(call: () => Promise<T>): Promise<T> {
    const { clock, options } = this.ctx;
    let giveUpAt: number | undefined;
    for (let wait = RETRY_FIRST_MS; ; wait = Math.min(wait * 2, RETRY_MAX_MS)) {
      try {
        return await call();
      } catch (err) {
        giveUpAt ??= clock.monotonic() + options.leaseMs;
        const wantsDatabase = isStoreOutage(err) || !(err instanceof TaskwardenError);
        if (!wantsDatabase || clock.monotonic() + wait > giveUpAt) throw err;
        await clock.sleep(wait);
      }
    }
  }
}

/**
 * A chunk that returned a checkpoint waits, prepared, for its next claim (here or on
 * another node); a job whose chunk overran its budget keeps saying so for this attempt.
 */
async function backToPrepared(
  uow: UnitOfWork,
  done: {
    js: Jobstate;
    chunk: { checkpoint: unknown; overBudget: boolean; lines: LogLine[]; elapsedMs: number };
    fence: { status: Jobstate['status'][]; leaseOwner: string };
  },
): Promise<boolean> {
  const { tx, emit, now } = uow;
  const { js, chunk, fence } = done;
  const { patch, guard } = moveJobstate(
    'prepared',
    {
      reason: chunk.overBudget ? 'over_budget' : null,
      checkpoint: chunk.checkpoint,
      leaseOwner: null,
      leaseExpiresAt: null,
      elapsedMs: chunk.elapsedMs,
      updatedAt: now,
    } as const,
    fence.status,
  );
  if (!(await tx.jobstates.update(js.id, patch, { ...fence, status: guard, attempt: js.attempt }))) return false;
  await tx.logs.append(js.id, js.attempt, chunk.lines);
  emit({ type: 'jobstate', jobstate: { ...js, ...patch } });
  return true;
}
