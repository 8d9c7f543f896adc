import { formatDuration } from './duration.ts';

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
  /**
   * Calls `fire` once `ms` of monotonic time passed, unless the function it returns is
   * called first. `sleep` without its AbortSignal: a long-poll that something wakes early
   * ends its timer with a call, not with an abort event (thousands a second on a fleet).
   */
  timer(ms: number, fire: () => void): () => void;
}

/** A change of the wall clock against the monotonic one larger than this is a clock jump (logged). */
export const CLOCK_JUMP_MS = 5_000;

/**
 * Notices clock jumps: the difference between a clock's wall and monotonic times stays put
 * while both run; when it moved by more than `thresholdMs` since the last look, someone (or
 * NTP, or a suspended machine) set the wall clock. `check` returns that jump (ms, negative
 * when the wall clock went back) once, or null.
 */
export class ClockJumpWatch {
  private drift: number;

  constructor(
    private readonly clock: Clock,
    private readonly thresholdMs = CLOCK_JUMP_MS,
  ) {
    this.drift = clock.now() - clock.monotonic();
  }

  check(): number | null {
    const drift = this.clock.now() - this.clock.monotonic();
    const jump = drift - this.drift;
    if (Math.abs(jump) <= this.thresholdMs) return null;
    this.drift = drift;
    return jump;
  }
}

/**
 * How many ms since `since` (a `monotonic()` time) the process did not run: stopped
 * (SIGSTOP, a debugger), or its machine suspended while the monotonic clock counted on.
 * The agent's PauseWatch measures it; absent where nothing watches (a fake clock, the server).
 */
export type PausedSince = (since: number) => number;

/**
 * Waits until the process has *run* for `ms` (monotonic time less the pauses), or until
 * `signal` aborts; resolves with the ms it was paused meanwhile. A timeout that sleeps this
 * way does not fire for time its work never got: once the process runs again, work that
 * ended while it was stopped is reported as it ended.
 */
export async function sleepRunning(
  clock: Clock,
  ms: number,
  signal: AbortSignal,
  pausedSince?: PausedSince | undefined,
): Promise<number> {
  const start = clock.monotonic();
  for (;;) {
    const paused = pausedSince?.(start) ?? 0;
    const ran = clock.monotonic() - start - paused;
    if (ran >= ms || signal.aborted) return paused;
    await clock.sleep(ms - ran, signal);
  }
}

/** "forward by 2h (7200000 ms)": the size of a clock jump, for a log line. */
export function describeJump(ms: number): string {
  const size = Math.round(Math.abs(ms));
  return `${ms > 0 ? 'forward' : 'back'} by ${formatDuration(Math.round(size / 1000))} (${size} ms)`;
}

/**
 * Resolves on a later turn of the event loop (a macrotask, after pending I/O and timers).
 * A run of steps that only awaits settled promises never lets the loop turn: better-sqlite3
 * answers synchronously, so chunk after chunk of server work would starve every HTTP
 * request, timer and signal handler. Such loops call this between steps.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The longest stretch of work between two turns of the event loop that busyTurn allows. */
export const TURN_EVERY_MS = 10;
/** When busyTurn last let the loop turn; the event loop is one per process, and so is this. */
let lastTurn = Number.NEGATIVE_INFINITY;

/**
 * nextTurn, but only once TURN_EVERY_MS passed since busyTurn last let the loop turn: a
 * request waits at most that long for the work in front of it, and short steps cost no
 * turn each (a turn after every step of a busy node measurably slows it down).
 */
export async function busyTurn(): Promise<void> {
  if (performance.now() - lastTurn < TURN_EVERY_MS) return;
  await nextTurn();
  lastTurn = performance.now();
}

/**
 * A sleep on `clock`'s timer (Clock.sleep, built on Clock.timer): resolves after `ms`, when
 * `signal` aborts, or when the function it hands to `wakeable` is called (a long-poll woken
 * by new work). It lets go of the signal and the timer whichever comes first: a loop of
 * sleeps on one job's signal piles no listeners on it.
 */
export function sleepOn(
  clock: Pick<Clock, 'timer'>,
  ms: number,
  signal?: AbortSignal,
  wakeable?: (wake: () => void) => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.timer(ms, done);
    signal?.addEventListener('abort', done, { once: true });
    wakeable?.(done);
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) => sleepOn(systemClock, ms, signal),
  timer: (ms, fire) => {
    const timer = setTimeout(fire, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/**
 * A clock that only moves when told to. `advance` moves wall and monotonic time together
 * (time passes) and wakes the sleepers it passes; `jump` moves the wall clock alone, as
 * someone setting the machine's clock would, and wakes nobody.
 */
export class FakeClock implements Clock {
  private wall: number;
  private elapsed = 0;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start: number | string | Date = '2026-12-01T00:00:00Z') {
    this.wall = new Date(start).getTime();
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.elapsed;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  timer(ms: number, fire: () => void): () => void {
    const sleeper = { until: this.elapsed + Math.max(0, ms), resolve: fire };
    this.sleepers.push(sleeper);
    return () => {
      this.sleepers = this.sleepers.filter((s) => s !== sleeper);
    };
  }

  /** How many sleeps and timers are waiting on this clock (tests wait for a job to reach its sleep). */
  get sleeping(): number {
    return this.sleepers.length;
  }

  /** Time passes: wall and monotonic clocks move `ms` forward. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('time does not run backwards: use jump() to set the wall clock back');
    this.wall += ms;
    this.elapsed += ms;
    const due = this.sleepers.filter((s) => s.until <= this.elapsed);
    this.sleepers = this.sleepers.filter((s) => s.until > this.elapsed);
    for (const s of due) s.resolve();
  }

  /** Time passes until the wall clock reads `to` (later than now). */
  set(to: number | string | Date): void {
    this.advance(new Date(to).getTime() - this.wall);
  }

  /** The wall clock is set `ms` forward (or back, when negative); no time passes. */
  jump(ms: number): void {
    this.wall += ms;
  }
}
