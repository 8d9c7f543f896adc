import { TaskwardenError } from '../../core/errors.ts';

/**
 * Remembers the last statement that gave up waiting for a lock another session held
 * (PostgreSQL's lock_timeout). The store's ping() checks no table, so it alone would say
 * all is well while every write to a locked table fails: for `memoryMs` after such a
 * failure, `current()` is the `store_busy` that /health reports as degraded, with why. It
 * clears by itself once writes stop giving up.
 */
export class LockWaits {
  private last: { at: number; message: string } | null = null;

  constructor(private readonly memoryMs: number) {}

  gaveUp(message: string): void {
    this.last = { at: performance.now(), message };
  }

  current(): TaskwardenError | null {
    if (!this.last) return null;
    const ago = performance.now() - this.last.at;
    if (ago > this.memoryMs) return null;
    return new TaskwardenError(
      'store_busy',
      `database busy: a write gave up waiting for a lock another session holds, ${(ago / 1000).toFixed(1)} s ago (${this.last.message})`,
    );
  }
}
