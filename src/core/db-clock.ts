import type { Clock } from './clock.ts';

/** How often the offset to the database clock is measured again. */
export const DB_CLOCK_RESYNC_MS = 30_000;
/** Round trips per measurement; the fastest one gives the offset (least queueing noise). */
const SAMPLES = 3;

/**
 * A node's clock that agrees with the database's: `now()` is the base clock plus the
 * offset to the database clock, measured at the round trip's midpoint. Nodes sharing a
 * store then agree on what is due even when their own clocks are skewed. Durations
 * (`sleep`) are the base clock's: an offset does not change how long a millisecond is.
 *
 * `sync()` measures once; `start()` measures, then again every `resyncMs` until `stop()`.
 * A failed measurement keeps the last offset (the database may be away for a while).
 */
export class DbSyncedClock implements Clock {
  private offset = 0;
  private synced = false;
  private stopper: AbortController | null = null;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly base: Clock,
    private readonly dbNow: () => Promise<number>,
    private readonly resyncMs = DB_CLOCK_RESYNC_MS,
  ) {}

  now(): number {
    return this.base.now() + this.offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }

  /** Database clock minus base clock, in ms, as last measured (0 before the first measurement). */
  get offsetMs(): number {
    return this.offset;
  }

  /** Whether a measurement ever succeeded. */
  get isSynced(): boolean {
    return this.synced;
  }

  /** Measures the offset now; rejects (keeping the previous offset) when the database does not answer. */
  async sync(): Promise<number> {
    let best: { roundTrip: number; offset: number } | null = null;
    for (let i = 0; i < SAMPLES; i++) {
      const sent = this.base.now();
      const db = await this.dbNow();
      const received = this.base.now();
      const roundTrip = received - sent;
      if (best === null || roundTrip < best.roundTrip) best = { roundTrip, offset: db - (sent + received) / 2 };
    }
    this.offset = Math.round((best as { offset: number }).offset);
    this.synced = true;
    return this.offset;
  }

  /** Measures now (failing if the database does not answer), then every `resyncMs` until `stop()`. */
  async start(): Promise<void> {
    if (this.stopper) return;
    await this.sync();
    const stopper = new AbortController();
    this.stopper = stopper;
    this.loop = (async () => {
      while (!stopper.signal.aborted) {
        await this.base.sleep(this.resyncMs, stopper.signal);
        if (stopper.signal.aborted) return;
        await this.sync().catch(() => {});
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopper?.abort();
    this.stopper = null;
    await this.loop;
  }
}

/** `base` moved by a fixed `skewMs`: a node whose clock is off (tests of DbSyncedClock and of clusters). */
export function skewedClock(base: Clock, skewMs: number): Clock {
  return { now: () => base.now() + skewMs, sleep: (ms, signal) => base.sleep(ms, signal) };
}

/** A node whose clock is further than this off the database's is reported (warning, nodes API, metrics). */
export const CLOCK_SKEW_LIMIT_MS = 5_000;

/** Whether an offset (a node's clock minus the database's; null: not measured) is past CLOCK_SKEW_LIMIT_MS. */
export function isClockSkewed(offsetMs: number | null): boolean {
  return offsetMs !== null && Math.abs(offsetMs) > CLOCK_SKEW_LIMIT_MS;
}
