import type { Jobstate } from '../core/model.ts';
import { type EngineContext, withTx } from './context.ts';

/**
 * A module checks its deadline between steps, so it may pass it by one step: past this
 * much over its budget a chunk counts as overrunning.
 */
export const OVERRUN_GRACE_MS = 1_000;

/** The fence of the chunk's claim: its writes land only while the jobstate is still its own. */
interface ClaimFence {
  status: Jobstate['status'][];
  leaseOwner: string;
}

/**
 * Watches one chunk's time budget (the engine's chunkMs) on this node's monotonic clock:
 * a module that ignores its deadline must not go unnoticed. A chunk still running past its
 * budget (plus OVERRUN_GRACE_MS) is reported at once: a warning, and reason `over_budget`
 * on its jobstate, so that the UI and the CLI show why it runs so long and a user can
 * cancel it. A chunk that blocked the event loop synchronously cannot be reported while it
 * blocks (no timer runs meanwhile): it is reported when it returns, and its next write
 * carries the reason.
 */
export class ChunkBudget {
  private readonly startedAt = performance.now();
  private readonly timer: NodeJS.Timeout;
  private reported = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly js: Jobstate,
    private readonly fence: ClaimFence,
  ) {
    this.timer = setTimeout(() => void this.reportRunning(), ctx.options.chunkMs + OVERRUN_GRACE_MS);
    this.timer.unref();
  }

  /** Ends the watch once the chunk returned; whether it overran (reported now if it was not yet). */
  end(): boolean {
    clearTimeout(this.timer);
    if (this.reported) return true;
    const took = Math.round(performance.now() - this.startedAt);
    if (took <= this.ctx.options.chunkMs + OVERRUN_GRACE_MS) return false;
    this.warn(`took ${took} ms`);
    return true;
  }

  private warn(what: string): void {
    this.reported = true;
    this.ctx.log.warn(
      `jobstate ${this.js.id} (module ${this.js.module}): a chunk ${what}, over its budget of ` +
        `${this.ctx.options.chunkMs} ms; its module ignores its deadline (reason over_budget; it can be cancelled)`,
    );
  }

  private async reportRunning(): Promise<void> {
    this.warn(`has run more than ${this.ctx.options.chunkMs + OVERRUN_GRACE_MS} ms and still runs`);
    const { js, fence } = this;
    try {
      await withTx(this.ctx, async ({ tx, emit, now }) => {
        const patch = { reason: 'over_budget', updatedAt: now } as const;
        if (await tx.jobstates.update(js.id, patch, { ...fence, attempt: js.attempt })) {
          emit({ type: 'jobstate', jobstate: { ...js, ...patch } });
        }
      });
    } catch (err) {
      this.ctx.log.warn(`jobstate ${js.id}: over_budget could not be recorded (${(err as Error).message})`);
    }
  }
}
