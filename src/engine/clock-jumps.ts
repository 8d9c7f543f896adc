import { describeJump } from '../core/clock.ts';
import type { EngineContext } from './context.ts';

/**
 * This node's clock was set (ClockJumpWatch saw its wall time move against its monotonic
 * time). Nothing running is ended or run again for it: the chunks this node runs measure
 * their timeouts on the monotonic clock, and their leases are renewed in the new time
 * before the next sweep (Engine.tick). On a store no other node shares, this clock is the
 * database clock, so the running agent jobs' start stamps move with it: their server-side
 * deadlines keep their length. On a shared store `now()` follows the database, not this
 * machine (DbSyncedClock), so a jump seen here is the database clock's own, seen by every
 * node at its next measurement: stamps are left alone there (nodes would move them each).
 */
export async function clockJumped(ctx: EngineContext, jumpMs: number): Promise<void> {
  const { store, log } = ctx;
  const moved = store.capabilities.multiNode ? null : await store.jobstates.shiftAgentStarts(jumpMs);
  log.warn(
    `taskwarden engine: the clock jumped ${describeJump(jumpMs)}; running work keeps its own measure of time ` +
      `(nothing is timed out or run again for it)${moved === null ? '' : `; ${moved} running agent jobs keep their deadlines`}`,
  );
}
