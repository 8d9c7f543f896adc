import { CLOCK_SKEW_LIMIT_MS, isClockSkewed } from '../core/db-clock.ts';
import type { EngineContext } from './context.ts';

/** What a node says about itself in the nodes table; the composition root knows it. */
export interface NodeIdentity {
  hostname: string;
  pid: number;
  version: string;
  /**
   * How far this node's own clock is ahead of the database's (ms, negative: behind), as
   * last measured; null (or absent) where the store has no clock of its own.
   */
  clockOffsetMs?: () => number | null;
}

/** Nodes not heard of for this long are forgotten (each start is a new node id). */
const FORGET_AFTER_MS = 7 * 86_400_000;

/**
 * Records this node in the store's nodes table: at start, then every sixth of the lease
 * time, so a node counts as alive while its last heartbeat is within the lease time; a
 * clean stop marks it stopped. Each heartbeat carries the node's clock offset to the
 * database; the log says when it goes past CLOCK_SKEW_LIMIT_MS, and when it is back
 * within, once each way rather than at every heartbeat.
 */
export class NodeHeartbeat {
  private startedAt = 0;
  /** Monotonic time of the last heartbeat: its cadence is this node's own. */
  private lastBeat = Number.NEGATIVE_INFINITY;
  private skewed = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly identity: NodeIdentity,
  ) {}

  get intervalMs(): number {
    return this.ctx.options.leaseMs / 6;
  }

  async start(): Promise<void> {
    const now = this.ctx.clock.now();
    this.startedAt = now;
    this.lastBeat = Number.NEGATIVE_INFINITY;
    await this.ctx.store.nodes.deleteSeenBefore(now - FORGET_AFTER_MS);
    await this.beat();
  }

  /** Monotonic ms until the next heartbeat is due (the loop wakes for it). */
  nextBeatIn(): number {
    return this.lastBeat + this.intervalMs - this.ctx.clock.monotonic();
  }

  /** Writes a heartbeat when the last one is older than the interval. */
  async beat(): Promise<void> {
    const beatAt = this.ctx.clock.monotonic();
    if (beatAt - this.lastBeat < this.intervalMs) return;
    const { nodeId } = this.ctx.options;
    const { hostname, pid, version } = this.identity;
    const clockOffsetMs = this.identity.clockOffsetMs?.() ?? null;
    await this.ctx.store.nodes.heartbeat({
      id: nodeId,
      hostname,
      pid,
      version,
      startedAt: this.startedAt,
      seenAt: this.ctx.clock.now(),
      clockOffsetMs,
    });
    this.lastBeat = beatAt;
    this.reportSkew(clockOffsetMs);
  }

  /** Marks the node stopped; a store that is away misses it (the node then just stops heartbeating). */
  async stop(): Promise<void> {
    await this.ctx.store.nodes.markStopped(this.ctx.options.nodeId, this.ctx.clock.now()).catch(() => {});
  }

  private reportSkew(offsetMs: number | null): void {
    const skewed = isClockSkewed(offsetMs);
    if (skewed === this.skewed) return;
    this.skewed = skewed;
    const node = `taskwarden node ${this.ctx.options.nodeId}`;
    const limit = `${CLOCK_SKEW_LIMIT_MS / 1000} s`;
    if (skewed) {
      const off = offsetMs as number;
      const by = `${(Math.abs(off) / 1000).toFixed(1)} s ${off > 0 ? 'ahead of' : 'behind'}`;
      this.ctx.log.warn(
        `${node}: its clock is ${by} the database's (more than ${limit}); it schedules by the database's clock, ` +
          'but check its time synchronisation (NTP)',
      );
    } else {
      this.ctx.log.info(`${node}: its clock is within ${limit} of the database's again (${offsetMs ?? 'unknown'} ms)`);
    }
  }
}
