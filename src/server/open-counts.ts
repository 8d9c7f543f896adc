/**
 * Things held open per key (connections per client address, event streams per user), at
 * most `max` at a time for each key; 0 = no limit.
 */
export class OpenCounts {
  private readonly counts = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Counts one more for `key` and returns its release (safe to call twice), or null when `key` is at the limit. */
  tryOpen(key: string): (() => void) | null {
    const count = this.counts.get(key) ?? 0;
    if (this.max > 0 && count >= this.max) return null;
    this.counts.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    };
  }
}
