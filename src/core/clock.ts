/**
 * Time comes from a Clock so that schedules, timeouts and misfires are tested by moving a
 * fake clock instead of sleeping. The engine never calls Date.now() directly.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms` of this clock's time, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
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

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** A clock that only moves when told to. Sleepers wake when `advance` passes their time. */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start: number | string | Date = '2026-12-01T00:00:00Z') {
    this.current = new Date(start).getTime();
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper = { until: this.current + Math.max(0, ms), resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** How many sleeps are waiting on this clock (tests wait for a job to reach its sleep). */
  get sleeping(): number {
    return this.sleepers.length;
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  set(to: number | string | Date): void {
    this.current = new Date(to).getTime();
    const due = this.sleepers.filter((s) => s.until <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.until > this.current);
    for (const s of due) s.resolve();
  }
}
