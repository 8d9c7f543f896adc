/**
 * Waits between attempts while the server is away: doubling from `baseMs` up to `capMs`,
 * each wait drawn in its upper half ("equal jitter") so a fleet that lost the server at the
 * same moment does not come back at the same moment.
 */
export declare class Backoff {
    private readonly baseMs;
    private readonly capMs;
    /** Returns [0, 1); injected so tests get an exact schedule. */
    private readonly random;
    private failures;
    constructor(baseMs: number, capMs: number, 
    /** Returns [0, 1); injected so tests get an exact schedule. */
    random?: () => number);
    /** The wait before the next attempt, counting one more failure. */
    next(): number;
    /** Back to the first step after a success. */
    reset(): void;
    get failing(): boolean;
}
/** `value` spread by ±`fraction` (0.1 = ±10 %), so periodic contacts of many agents do not align. */
export declare function jitter(value: number, fraction: number, random?: () => number): number;
