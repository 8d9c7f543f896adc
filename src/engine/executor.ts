import { newId } from '../core/ids.ts';
import type { Jobstate } from '../core/model.ts';
import type { ExecuteOutcome } from '../core/ports/module.ts';
import { type EngineContext, withTx } from './context.ts';
import { LogSink } from './log-sink.ts';
import { reportOutcome } from './outcomes.ts';

interface InFlight {
  owner: string;
  controller: AbortController;
  done: Promise<void>;
}

/** Why a chunk was stopped; only a shutdown still writes what the chunk returned. */
const SHUTDOWN = 'shutdown';

/**
 * Runs server-side jobstates on this node: claims prepared ones up to its concurrency,
 * each under a lease it renews by heartbeat, and runs one chunk of the module's
 * `execute` with a deadline. A chunk that returns a checkpoint goes back to `prepared`
 * and is claimed again later (so long jobs share the pool fairly and survive a crash);
 * a finished one is reported through endJobstate. Every claim has its own lease owner
 * token, so a write from a chunk whose lease was taken over is refused by the store.
 */
export class Executor {
  private readonly inFlight = new Map<string, InFlight>();
  private lastHeartbeat = 0;

  constructor(private readonly ctx: EngineContext) {}

  get busy(): number {
    return this.inFlight.size;
  }

  /** Claims and starts as many prepared server jobstates as there are free slots. */
  async pump(): Promise<number> {
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
      entry.done = this.runChunk(js, owner, controller.signal).finally(() => {
        this.inFlight.delete(js.id);
        this.ctx.wake();
      });
    }
    return claimed.length;
  }

  /** Renews the leases of running chunks; a chunk whose lease was lost is stopped. */
  async heartbeat(force = false): Promise<void> {
    const now = this.ctx.clock.now();
    if (!force && now - this.lastHeartbeat < this.ctx.options.leaseMs / 3) return;
    this.lastHeartbeat = now;
    const byOwner = new Map<string, string[]>();
    for (const [id, f] of this.inFlight) byOwner.set(f.owner, [...(byOwner.get(f.owner) ?? []), id]);
    for (const [owner, ids] of byOwner) {
      const kept = new Set(await this.ctx.store.jobstates.renewLeases(owner, ids, now + this.ctx.options.leaseMs));
      this.abort(ids.filter((id) => !kept.has(id)));
    }
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

  private async runChunk(js: Jobstate, owner: string, signal: AbortSignal): Promise<void> {
    const { ctx } = this;
    const fence = { status: ['running'] as Jobstate['status'][], leaseOwner: owner };
    const module = ctx.modules.get(js.module);
    if (!module?.execute) {
      const result = { error: `module "${js.module}" has no server half on this node` };
      await reportOutcome(ctx, js, { ok: false, reason: 'module_unknown', result }, fence);
      return;
    }
    const started = ctx.clock.now();
    const logs = new LogSink(ctx, js.id, js.attempt, await ctx.store.logs.count(js.id));
    const deadline = Math.min(started + ctx.options.chunkMs, (js.startedAt ?? started) + js.timeoutSeconds * 1000);
    let outcome: ExecuteOutcome;
    try {
      outcome = await module.execute({
        params: js.params,
        jobstate: js,
        checkpoint: js.checkpoint ?? undefined,
        deadline,
        signal,
        clock: ctx.clock,
        log: logs.add,
        services: ctx.services,
      });
    } catch (err) {
      logs.add(`module failed: ${err instanceof Error ? err.message : String(err)}`, 'stderr');
      outcome = { done: true, ok: false, reason: 'module_failed', result: { error: String(err) } };
    }
    await logs.flush();
    // Stopped because it was cancelled, timed out or lost its lease: whoever stopped it
    // already wrote the end. A shutdown keeps a checkpoint or a success; a failure caused
    // by the shutdown is left running, for the restart to recover as interrupted.
    if (signal.aborted && (signal.reason !== SHUTDOWN || (outcome.done && !outcome.ok))) return;
    if (outcome.done) {
      await reportOutcome(ctx, js, { ok: outcome.ok, reason: outcome.reason ?? null, result: outcome.result }, fence);
      return;
    }
    const checkpoint = outcome.checkpoint;
    await withTx(ctx, async (tx, emit) => {
      const now = ctx.clock.now();
      const patch = {
        status: 'prepared',
        reason: null,
        checkpoint,
        leaseOwner: null,
        leaseExpiresAt: null,
        updatedAt: now,
      } as const;
      if (await tx.jobstates.update(js.id, patch, { ...fence, attempt: js.attempt })) {
        emit({ type: 'jobstate', jobstate: { ...js, ...patch } });
      }
    });
  }
}
