import { ClockJumpWatch, describeJump } from '../core/clock.ts';
import type { EngineContext } from './context.ts';

/**
 * Notices when this node's clock is set (ClockJumpWatch: its wall time moved against its
 * monotonic time), and deals with it before anything stamps or compares times again: the
 * engine's pass and every agent claim call `settle` first. Nothing running is ended or run
 * again for a jump: the chunks this node runs measure their timeouts on the monotonic
 * clock, and their leases are renewed in the new time before the next sweep (Engine.tick
 * asks `leasesToRenew`). On a store no other node shares, this clock is the database
 * clock, so the running agent jobs' start stamps move with it: their server-side deadlines
 * keep their length. On a shared store `now()` follows the database, not this machine
 * (DbSyncedClock), so a jump seen here is the database clock's own, seen by every node at
 * its next measurement: stamps are left alone there (each node would move them).
 */
export class ClockJumps {
  private readonly watch: ClockJumpWatch;
  private settling: Promise<void> = Promise.resolve();
  private unrenewed = false;

  constructor(private readonly ctx: EngineContext) {
    this.watch = new ClockJumpWatch(ctx.clock);
  }

  /** Resolves once every jump seen so far (this look included) has been dealt with. */
  settle(): Promise<void> {
    const jump = this.watch.check();
    if (jump !== null) {
      this.unrenewed = true;
      this.settling = this.settling.then(() => this.jumped(jump));
    }
    return this.settling;
  }

  /** Whether a jump was seen whose leases were not renewed yet (leasesToRenew not asked since). */
  get unsettled(): boolean {
    return this.unrenewed;
  }

  /** Whether a jump was seen since the last ask: this node's leases must be renewed in the new time. */
  leasesToRenew(): boolean {
    const renew = this.unrenewed;
    this.unrenewed = false;
    return renew;
  }

  private async jumped(jumpMs: number): Promise<void> {
    const { store, log } = this.ctx;
    const shared = store.capabilities.multiNode;
    let moved = '';
    try {
      if (!shared)
        moved = `; ${await store.jobstates.shiftAgentStarts(jumpMs)} running agent jobs keep their deadlines`;
    } catch (err) {
      moved = `; the running agent jobs' deadlines could not be moved (${(err as Error).message})`;
    }
    log.warn(
      `taskwarden engine: the clock jumped ${describeJump(jumpMs)}; running work keeps its own measure of time ` +
        `(nothing is timed out or run again for it)${moved}`,
    );
  }
}
