/**
 * Waits between attempts while the server is away: doubling from `baseMs` up to `capMs`,
 * each wait drawn in its upper half ("equal jitter") so a fleet that lost the server at the
 * same moment does not come back at the same moment.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
    /** Returns [0, 1); injected so tests get an exact schedule. */
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before the next attempt, counting one more failure. */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** Back to the first step after a success. */
  reset(): void {
    this.failures = 0;
  }

  get failing(): boolean {
    return this.failures > 0;
  }
}

/** `value` spread by ±`fraction` (0.1 = ±10 %), so periodic contacts of many agents do not align. */
export function jitter(value: number, fraction: number, random: () => number = Math.random): number {
  return value * (1 - fraction + 2 * fraction * random());
}
