import { setTimeout as delay } from 'node:timers/promises';
import type { EngineContext } from './context.ts';

/** First wait after a failed pass; it doubles per failure up to maxSleepMs. */
const RETRY_FIRST_MS = 100;
/** Least real time between the starts of two passes. */
const MIN_PASS_GAP_MS = 10;

/**
 * The engine's loop: a pass, then a sleep until the next thing is due (capped at
 * maxSleepMs), or until something wakes it.
 *
 * A pass is light when only triggers can have come due since the last full one: nothing
 * woke the loop, nothing else it knows of (a jobstate's wake, a lease, a timeout, a window
 * closing, a catch-up slot, as the last full pass read them or as announced since) is due,
 * and the last full pass is less than maxSleepMs old (monotonic). A light pass fires the
 * due triggers and nothing else (Engine's pass), and reads only the next trigger's time:
 * 100,000 daily schedules fire about once a second each, and each firing's pass no longer
 * sweeps every table. Whatever is missed between full passes is found, as before, by the
 * full pass at most maxSleepMs later.
 *
 * A failed pass (the database is away) is retried after a wait that doubles up to
 * maxSleepMs; the outage is reported once when it starts and once when a pass succeeds
 * again, not at every pass. Passes woken early are spaced by MIN_PASS_GAP_MS (real time):
 * a burst of changes costs one pass, not one each.
 */
export class EngineLoop {
  private sleeper = new AbortController();
  private running: Promise<void> | null = null;
  private stopping = false;
  /** While the loop sleeps: when it will wake by itself. Null while a pass runs. */
  private sleepsUntil: number | null = null;
  /** The earliest due time announced while the pass ran, which the pass's own reads may have missed. */
  private dueDuringPass = Number.POSITIVE_INFINITY;
  /** Real time the current pass began. */
  private passStartedAt = 0;
  /** Something woke the loop since the current pass began: the next pass is full. */
  private woken = false;
  /** Earliest due time of anything but a trigger, read by the last full pass or announced since. */
  private othersDueAt = Number.NEGATIVE_INFINITY;
  /** Monotonic time the last full pass began. */
  private lastFullAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ctx: EngineContext,
    /** One pass: over everything (`full`), or only the firing of due triggers. */
    private readonly pass: (full: boolean) => Promise<unknown>,
    /** Milliseconds (monotonic) until something this node measures itself is due (a chunk's timeout), or null. */
    private readonly localDueIn: () => number | null = () => null,
  ) {}

  get active(): boolean {
    return this.running !== null && !this.stopping;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.run();
  }

  /** Resolves once the pass under way (if any) returned. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    this.running = null;
  }

  /** Something may be due now: the next pass starts at once (after the gap). */
  wake(): void {
    this.woken = true;
    this.sleeper.abort();
  }

  /** Something is due at `at`: wakes the loop if it would sleep past it. */
  dueAt(at: number): void {
    this.othersDueAt = Math.min(this.othersDueAt, at);
    if (this.sleepsUntil === null) this.dueDuringPass = Math.min(this.dueDuringPass, at);
    else if (at < this.sleepsUntil) this.wake();
  }

  private async run(): Promise<void> {
    const { clock, log, options } = this.ctx;
    let failures = 0;
    let failingSince = 0;
    while (!this.stopping) {
      const sincePass = performance.now() - this.passStartedAt;
      if (sincePass < MIN_PASS_GAP_MS) await delay(MIN_PASS_GAP_MS - sincePass);
      this.passStartedAt = performance.now();
      this.sleeper = new AbortController();
      this.sleepsUntil = null;
      this.dueDuringPass = Number.POSITIVE_INFINITY;
      const full =
        this.woken ||
        failures > 0 ||
        clock.now() >= this.othersDueAt ||
        clock.monotonic() - this.lastFullAt >= options.maxSleepMs;
      this.woken = false;
      if (full) {
        this.lastFullAt = clock.monotonic();
        this.othersDueAt = Number.POSITIVE_INFINITY; // read again below; lowered by announcements meanwhile
      }
      let sleepMs: number;
      try {
        await this.pass(full);
        if (this.stopping) break;
        sleepMs = Math.min(await this.untilNextWork(full), this.dueDuringPass - clock.now());
        if (failures > 0) {
          const tookMs = Math.round(clock.monotonic() - failingSince);
          log.info(`taskwarden engine: passes succeed again after ${failures} failed (${tookMs} ms)`);
          failures = 0;
        }
      } catch (err) {
        if (this.stopping) break;
        if (failures === 0) {
          failingSince = clock.monotonic();
          const why = err instanceof Error ? err.message : String(err);
          log.warn(`taskwarden engine pass failed: ${why}; retrying until the store answers again`);
        }
        failures++;
        sleepMs = Math.min(options.maxSleepMs, RETRY_FIRST_MS * 2 ** Math.min(failures - 1, 20));
      }
      sleepMs = Math.max(0, sleepMs);
      this.sleepsUntil = clock.now() + sleepMs;
      await clock.sleep(sleepMs, this.sleeper.signal);
    }
  }

  /**
   * How long the loop may sleep: until the next firing, catch-up slot, jobstate wake-up or
   * local timeout, capped at maxSleepMs. The sleep itself is monotonic time. After a light
   * pass only the next firing is read again: the others' times are the full pass's.
   */
  private async untilNextWork(full: boolean): Promise<number> {
    const { clock, store, options } = this.ctx;
    const now = clock.now();
    if (full) {
      const others = [
        await store.jobstates.nextWakeAt(options.agentGraceMs),
        await store.lateJoin.nextCloseAt(),
        this.ctx.catchUp.nextAfter(now),
      ];
      this.othersDueAt = Math.min(this.othersDueAt, ...others.filter((t): t is number => t !== null));
    }
    // A chunk's timeout on this node may have begun in a light pass: its end is a full pass's work.
    const localDueIn = this.localDueIn();
    if (localDueIn !== null) this.othersDueAt = Math.min(this.othersDueAt, now + localDueIn);
    const candidates = [await store.triggers.nextFireAt(), this.othersDueAt, now + options.maxSleepMs];
    const wakeAt = Math.min(...candidates.filter((t): t is number => t !== null));
    return Math.max(0, wakeAt - now);
  }
}
