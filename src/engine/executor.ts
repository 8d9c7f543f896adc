import { busyTurn } from '../core/clock.ts';
import { TaskwardenError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Jobstate, LogLine } from '../core/model.ts';
import type { ExecuteOutcome } from '../core/ports/module.ts';
import type { StoreSession } from '../core/ports/store.ts';
import { ChunkBudget } from './chunk-budget.ts';
import type { Emit, EngineContext } from './context.ts';
import { GroupCommit } from './group-commit.ts';
import { LogSink } from './log-sink.ts';
import { endJobstate, reportOutcome } from './outcomes.ts';

interface InFlight {
  owner: string;
  controller: AbortController;
  done: Promise<void>;
}

/** Why a chunk was stopped; only a shutdown still writes what the chunk returned. */
const SHUTDOWN = 'shutdown';
/** The heartbeat found the jobstate no longer ours: what the chunk did is thrown away, logs included. */
const LEASE_LOST = 'lease_lost';
/** First wait before a store write is tried again; it doubles up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2_000;

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
 * it another node (or this one's sweeper) recovers the jobstate from its lease.
 */
export class Executor {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly commits: GroupCommit;
  private lastHeartbeat = 0;
  /** The latest pump; the next one starts after it. */
  private pumping: Promise<unknown> = Promise.resolve();
  /** A kick waits for the pump on its way: more kicks meanwhile add nothing. */
  private kicked = false;

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
   * slot is taken up at once. Kicks made while one is on its way are served by one more.
   * A failure is left to the loop, woken to pump again and report the outage.
   */
  kick(): void {
    if (this.kicked) return;
    this.kicked = true;
    void this.pumping.then(() => {
      this.kicked = false;
      return this.pump().catch(() => this.ctx.wake());
    });
  }

  private async claimAndStart(): Promise<number> {
    const free = this.ctx.options.executorConcurrency - this.inFlight.size;
    if (free <= 0) return 0;
    const now = this.ctx.clock.now();
    const owner = `${this.ctx.options.nodeId}/${newId()}`;
    const claimed = await this.ctx.store.jobstates.claimServer(owner, now, now + this.ctx.options.leaseMs, free);
    for (const js of claimed) {
      const controller = new AbortController();
      const entry: InFlight = { owner, controller, done: Promise.resolve() };
      this.inFlight.set(js.id, entry);
      this.ctx.notify({ type: 'jobstate', jobstate: js });
      entry.done = this.runChunk(js, owner, now, controller.signal)
        .catch((err: unknown) => {
          const why = err instanceof Error ? err.message : String(err);
          this.ctx.log.warn(
            `jobstate ${js.id}: its chunk's result could not be written (${why}); its lease will lapse`,
          );
        })
        .finally(() => {
          this.inFlight.delete(js.id);
          this.ctx.kick();
        });
    }
    return claimed.length;
  }

  /** Renews the leases of running chunks; a chunk whose lease was lost is stopped. */
  async heartbeat(force = false): Promise<void> {
    const now = this.ctx.clock.now();
    if (!force && now - this.lastHeartbeat < this.ctx.options.leaseMs / 3) return;
    const byOwner = new Map<string, string[]>();
    for (const [id, f] of this.inFlight) byOwner.set(f.owner, [...(byOwner.get(f.owner) ?? []), id]);
    for (const [owner, ids] of byOwner) {
      const kept = new Set(await this.ctx.store.jobstates.renewLeases(owner, ids, now + this.ctx.options.leaseMs));
      this.abort(
        ids.filter((id) => !kept.has(id)),
        LEASE_LOST,
      );
    }
    this.lastHeartbeat = now;
  }

  abort(ids: readonly string[], reason: string = 'ended'): void {
    for (const id of ids) this.inFlight.get(id)?.controller.abort(reason);
  }

  /** Waits for every running chunk to return. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()].map((f) => f.done));
  }

  /** Asks every running chunk to stop and waits for it up to `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.abort([...this.inFlight.keys()], SHUTDOWN);
    await Promise.race([this.drain(), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  }

  private async runChunk(js: Jobstate, owner: string, claimedAt: number, signal: AbortSignal): Promise<void> {
    const { ctx } = this;
    const fence = { status: ['running'] as Jobstate['status'][], leaseOwner: owner };
    const module = ctx.modules.get(js.module);
    if (!module?.execute) {
      const result = { error: `module "${js.module}" has no server half on this node` };
      await reportOutcome(ctx, js, { ok: false, reason: 'module_unknown', result }, fence);
      return;
    }
    await busyTurn();
    const started = ctx.clock.now();
    // The first chunk of a first attempt (its start is this claim's) has nothing stored yet.
    const fresh = js.attempt === 1 && js.checkpoint == null && js.startedAt === claimedAt;
    const stored = fresh ? 0 : await this.persist(() => ctx.store.logs.count(js.id));
    const logs = new LogSink(ctx, js.id, js.attempt, stored);
    const deadline = Math.min(started + ctx.options.chunkMs, (js.startedAt ?? started) + js.timeoutSeconds * 1000);
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
      });
    } catch (err) {
      logs.add(`module failed: ${err instanceof Error ? err.message : String(err)}`, 'stderr');
      outcome = { done: true, ok: false, reason: 'module_failed', result: { error: String(err) } };
    }
    const overBudget = budget.end() || js.reason === 'over_budget';
    if (signal.aborted && signal.reason === LEASE_LOST) return this.discarded(js);
    const lines = await logs.drain();
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
      this.commits.write((tx, emit) => {
        if (outcome.done) {
          const end = { ok: outcome.ok, reason: outcome.reason ?? null, result: outcome.result, lines };
          return endJobstate(ctx, tx, emit, js, end, fence);
        }
        return this.backToPrepared(tx, emit, js, { checkpoint: outcome.checkpoint, overBudget, lines }, fence);
      }),
    );
    if (!written) this.discarded(js);
  }

  /**
   * A chunk that returned a checkpoint waits, prepared, for its next claim (here or on
   * another node); a job whose chunk overran its budget keeps saying so for this attempt.
   */
  private async backToPrepared(
    tx: StoreSession,
    emit: Emit,
    js: Jobstate,
    chunk: { checkpoint: unknown; overBudget: boolean; lines: LogLine[] },
    fence: { status: Jobstate['status'][]; leaseOwner: string },
  ): Promise<boolean> {
    const now = this.ctx.clock.now();
    const { checkpoint, lines } = chunk;
    const patch = {
      status: 'prepared',
      reason: chunk.overBudget ? 'over_budget' : null,
      checkpoint,
      leaseOwner: null,
      leaseExpiresAt: null,
      updatedAt: now,
    } as const;
    if (!(await tx.jobstates.update(js.id, patch, { ...fence, attempt: js.attempt }))) return false;
    await tx.logs.append(js.id, js.attempt, lines);
    emit({ type: 'jobstate', jobstate: { ...js, ...patch } });
    return true;
  }

  private discarded(js: Jobstate): void {
    this.ctx.log.warn(
      `jobstate ${js.id}: no longer ours (its lease was taken over, or it ended elsewhere); ` +
        'this node discards its chunk result',
    );
  }

  /**
   * Runs a store call, again after a growing wait while it fails for want of a database,
   * for up to the lease time from its first failure: a restart of the database does not
   * cost the chunk. Counted from the failure, not from the call: a node frozen mid-write
   * (SIGSTOP, a paused VM) finds its connection gone when it thaws, and its retry is what
   * tells it whether the job is still its own. Fenced writes make a retry safe even when
   * the first try landed but its answer was lost.
   */
  private async persist<T>(call: () => Promise<T>): Promise<T> {
    const { clock, options } = this.ctx;
    let giveUpAt: number | undefined;
    for (let wait = RETRY_FIRST_MS; ; wait = Math.min(wait * 2, RETRY_MAX_MS)) {
      try {
        return await call();
      } catch (err) {
        giveUpAt ??= clock.now() + options.leaseMs;
        if (err instanceof TaskwardenError || clock.now() + wait > giveUpAt) throw err;
        await clock.sleep(wait);
      }
    }
  }
}
