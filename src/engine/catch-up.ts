/**
 * Spaces the catch-up runs this node creates: a restart after a long outage catches up
 * every task at once, and starting them all in the same second is a storm of its own. Each
 * catch-up run gets a start slot at least 1/perSecond after the one before; the engine
 * loop wakes for the next slot (nextAfter), so the runs start at that pace, not in bursts
 * at each poll. The slots live in this process: runs another node spaced are started by
 * that node, or by anyone once due.
 */
export class CatchUpPacer {
  /** The earliest time the next slot may take. */
  private free = Number.NEGATIVE_INFINITY;
  /** Slots handed out that are not past yet, ascending. */
  private upcoming: number[] = [];

  constructor(private readonly perSecond: number) {}

  /** A start time for one more catch-up run: `earliest` or later, one slot after the last one. */
  slot(earliest: number): number {
    const at = Math.max(earliest, this.free);
    this.free = at + 1000 / this.perSecond;
    this.upcoming.push(at); // `free` only grows, so the slots come out ascending
    return at;
  }

  /** The first slot after `now`, null when none is left. */
  nextAfter(now: number): number | null {
    const past = this.upcoming.findIndex((at) => at > now);
    this.upcoming = past < 0 ? [] : this.upcoming.slice(past);
    return this.upcoming[0] ?? null;
  }
}
