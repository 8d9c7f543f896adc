import { setTimeout as delay } from 'node:timers/promises';
import type { EngineContext } from './context.ts';

/** First wait after a failed pass; it doubles per failure up to maxSleepMs. */
const RETRY_FIRST_MS = 100;
/** Least real time between the starts of two passes. */
const MIN_PASS_GAP_MS = 10;

/** What one pass does: everything (`full`), the due triggers only (`fire`), or only the heartbeats (`beat`). */
export type PassKind = 'full' | 'fire' | 'beat';

/** What the loop drives, and the times this node measures itself (monotonic ms from now, or null: none). */
export interface LoopHooks {
  /** One pass; every kind begins with the heartbeats (leases, node) that are due. */
  pass(kind: PassKind): Promise<unknown>;
  /** Until a running chunk's timeout ends: a full pass's work. */
  timeoutIn(): number | null;
  /** Until the node's heartbeat is due (the leases' renewals go with it): a beat's work, no pass over the tables. */
  beatIn(): number | null;
}

/**
 * The engine's loop: a pass, then a sleep until the next thing is due, or until something
 * wakes it. Idle, it works only at the instants something is due.
 *
 * A pass is full (Engine.tick: every table swept) when something woke the loop, when
 * something other than a trigger is due (a jobstate's wake, a lease, a timeout, a window
 * closing, a catch-up slot, as the last full pass read them or as announced since), or
 * when the last full pass is `safetyMs` old (monotonic). Otherwise it fires the due
 * triggers and reads the next one's time (100,000 daily schedules fire about once a
 * second each, and no firing sweeps every table), or, when no trigger is due either, it
 * only writes the heartbeats. The safety pass finds what an announcement missed: every
 * maxSleepMs where other nodes write the same store (their NOTIFY may be lost: the poll is
 * the fallback), every safetyPassMs where this node is the only writer (SQLite), every due
 * time then being read or announced by the node itself.
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
  /** The next trigger's fire time as last read (a task written since announced itself: othersDueAt). */
  private triggersDueAt = Number.NEGATIVE_INFINITY;
  /** Monotonic time the last full pass began. */
  private lastFullAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ctx: EngineContext,
    private readonly hooks: LoopHooks,
  ) {}

  get active(): boolean {
    return this.running !== null && !this.stopping;
  }

  /** Longest time between two full passes: short where other nodes write the same store. */
  private get safetyMs(): number {
    const { store, options } = this.ctx;
    return store.capabilities.multiNode ? options.maxSleepMs : Math.max(options.maxSleepMs, options.safetyPassMs);
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

  private nextKind(): PassKind {
    const { clock } = this.ctx;
    const now = clock.now();
    if (this.woken || now >= this.othersDueAt || clock.monotonic() - this.lastFullAt >= this.safetyMs) return 'full';
    return now >= this.triggersDueAt ? 'fire' : 'beat';
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
      const kind = failures > 0 ? 'full' : this.nextKind();
      this.woken = false;
      if (kind === 'full') {
        this.lastFullAt = clock.monotonic();
        this.othersDueAt = Number.POSITIVE_INFINITY; // read again below; lowered by announcements meanwhile
      }
      let sleepMs: number;
      try {
        await this.hooks.pass(kind);
        if (this.stopping) break;
        sleepMs = Math.min(await this.untilNextWork(kind), this.dueDuringPass - clock.now());
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
   * How long the loop may sleep: until the next firing, catch-up slot, jobstate wake-up,
   * local timeout, heartbeat or safety pass. The sleep itself is monotonic time. A full
   * pass reads every due time again; one that fired reads the next firing's; a beat reads
   * nothing.
   */
  private async untilNextWork(kind: PassKind): Promise<number> {
    const { clock, store, options } = this.ctx;
    const now = clock.now();
    if (kind === 'full') {
      const others = [
        await store.jobstates.nextWakeAt(options.agentGraceMs),
        await store.lateJoin.nextCloseAt(),
        this.ctx.catchUp.nextAfter(now),
      ];
      this.othersDueAt = Math.min(this.othersDueAt, ...others.filter((t): t is number => t !== null));
    }
    if (kind !== 'beat') this.triggersDueAt = (await store.triggers.nextFireAt()) ?? Number.POSITIVE_INFINITY;
    // A chunk's timeout on this node may have begun in a light pass: its end is a full pass's work.
    const timeoutIn = this.hooks.timeoutIn();
    if (timeoutIn !== null) this.othersDueAt = Math.min(this.othersDueAt, now + timeoutIn);
    const beatIn = this.hooks.beatIn() ?? Number.POSITIVE_INFINITY;
    const safetyIn = this.lastFullAt + this.safetyMs - clock.monotonic();
    const wakeIn = Math.min(this.triggersDueAt - now, this.othersDueAt - now, beatIn, safetyIn);
    return Math.max(0, wakeIn);
  }
}
