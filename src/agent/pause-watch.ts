/** The watch ticks this often… */
const TICK_MS = 1_000;
/** …and a tick later than this past its time means the agent did not run meanwhile. */
const LATE_MS = 1_000;
/** Pauses remembered (the oldest go first): enough for any job's timeout. */
const KEEP = 1_000;

/**
 * Stretches of time in which this agent did not run: the process was stopped (SIGSTOP, a
 * debugger), the machine slept while its monotonic clock kept counting, or the event loop
 * was blocked. A tick every TICK_MS that comes more than LATE_MS late saw one. A job's
 * timeout does not count them (job.ts): an agent paused past a job's timeout that resumes
 * reports what the job really did, rather than `timeout` for time it never gave the job.
 *
 * It reads the process's real monotonic clock, performance.now() (the system clock's
 * `monotonic()`): an agent on a fake clock has no pauses to watch.
 */
export class PauseWatch {
  private last = performance.now();
  private readonly pauses: { from: number; to: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly onPause: (ms: number) => void) {
    this.timer = setInterval(() => this.look(), TICK_MS);
    this.timer.unref();
  }

  /** How many ms since `since` (a monotonic time) the agent did not run. */
  pausedSince(since: number): number {
    this.look();
    let paused = 0;
    for (const { from, to } of this.pauses) paused += Math.max(0, to - Math.max(from, since));
    return paused;
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Ticks, and on demand: a look long after the previous one, past the next tick's time, ends a pause. */
  private look(): void {
    const now = performance.now();
    const from = this.last + TICK_MS;
    this.last = now;
    if (now - from <= LATE_MS) return;
    this.pauses.push({ from, to: now });
    if (this.pauses.length > KEEP) this.pauses.shift();
    this.onPause(now - from);
  }
}
