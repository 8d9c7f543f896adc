import type { EngineContext } from './context.ts';

/** What a node says about itself in the nodes table; the composition root knows it. */
export interface NodeIdentity {
  hostname: string;
  pid: number;
  version: string;
}

/** Nodes not heard of for this long are forgotten (each start is a new node id). */
const FORGET_AFTER_MS = 7 * 86_400_000;

/**
 * Records this node in the store's nodes table: at start, then every sixth of the lease
 * time, so a node counts as alive while its last heartbeat is within the lease time; a
 * clean stop marks it stopped.
 */
export class NodeHeartbeat {
  private startedAt = 0;
  /** Monotonic time of the last heartbeat: its cadence is this node's own. */
  private lastBeat = Number.NEGATIVE_INFINITY;

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

  /** Writes a heartbeat when the last one is older than the interval. */
  async beat(): Promise<void> {
    const beatAt = this.ctx.clock.monotonic();
    if (beatAt - this.lastBeat < this.intervalMs) return;
    const { nodeId } = this.ctx.options;
    const seenAt = this.ctx.clock.now();
    await this.ctx.store.nodes.heartbeat({ id: nodeId, ...this.identity, startedAt: this.startedAt, seenAt });
    this.lastBeat = beatAt;
  }

  /** Marks the node stopped; a store that is away misses it (the node then just stops heartbeating). */
  async stop(): Promise<void> {
    await this.ctx.store.nodes.markStopped(this.ctx.options.nodeId, this.ctx.clock.now()).catch(() => {});
  }
}
