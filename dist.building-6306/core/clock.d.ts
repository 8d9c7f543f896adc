/**
 * Time comes from a Clock so that schedules, timeouts and misfires are tested by moving a
 * fake clock instead of sleeping. The engine never calls Date.now() directly.
 *
 * A clock tells two different times, and each has its use:
 * * `now()` is wall time (on a server node: the database's, see DbSyncedClock), epoch ms.
 *   It says *when*: firings, timeslots, and every stamp written to the store or compared
 *   across nodes (startedAt, dueAt, lease ends), since other nodes read them.
 * * `monotonic()` is this process's own measure of elapsed time, ms from an arbitrary
 *   origin. It says *how long*: job timeouts, chunk budgets, heartbeat and retry cadences,
 *   long-poll waits. It never jumps when someone (or NTP) sets the wall clock, so a clock
 *   jump neither kills nor stretches running work. Never store it nor send it to another
 *   process: its origin is this process's.
 * `sleep` waits monotonic time.
 */
export interface Clock {
    now(): number;
    monotonic(): number;
    /** Resolves after `ms` of monotonic time, or early (without error) when `signal` aborts. */
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
/** A change of the wall clock against the monotonic one larger than this is a clock jump (logged). */
export declare const CLOCK_JUMP_MS = 5000;
/**
 * Notices clock jumps: the difference between a clock's wall and monotonic times stays put
 * while both run; when it moved by more than `thresholdMs` since the last look, someone (or
 * NTP, or a suspended machine) set the wall clock. `check` returns that jump (ms, negative
 * when the wall clock went back) once, or null.
 */
export declare class ClockJumpWatch {
    private readonly clock;
    private readonly thresholdMs;
    private drift;
    constructor(clock: Clock, thresholdMs?: number);
    check(): number | null;
}
/** "forward by 2h (7200000 ms)": the size of a clock jump, for a log line. */
export declare function describeJump(ms: number): string;
/**
 * Resolves on a later turn of the event loop (a macrotask, after pending I/O and timers).
 * A run of steps that only awaits settled promises never lets the loop turn: better-sqlite3
 * answers synchronously, so chunk after chunk of server work would starve every HTTP
 * request, timer and signal handler. Such loops call this between steps.
 */
export declare function nextTurn(): Promise<void>;
/** The longest stretch of work between two turns of the event loop that busyTurn allows. */
export declare const TURN_EVERY_MS = 10;
/**
 * nextTurn, but only once TURN_EVERY_MS passed since busyTurn last let the loop turn: a
 * request waits at most that long for the work in front of it, and short steps cost no
 * turn each (a turn after every step of a busy node measurably slows it down).
 */
export declare function busyTurn(): Promise<void>;
export declare const systemClock: Clock;
/**
 * A clock that only moves when told to. `advance` moves wall and monotonic time together
 * (time passes) and wakes the sleepers it passes; `jump` moves the wall clock alone, as
 * someone setting the machine's clock would, and wakes nobody.
 */
export declare class FakeClock implements Clock {
    private wall;
    private elapsed;
    private sleepers;
    constructor(start?: number | string | Date);
    now(): number;
    monotonic(): number;
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
    /** How many sleeps are waiting on this clock (tests wait for a job to reach its sleep). */
    get sleeping(): number;
    /** Time passes: wall and monotonic clocks move `ms` forward. */
    advance(ms: number): void;
    /** Time passes until the wall clock reads `to` (later than now). */
    set(to: number | string | Date): void;
    /** The wall clock is set `ms` forward (or back, when negative); no time passes. */
    jump(ms: number): void;
}
