import { CLOCK_JUMP_MS, type Clock } from './clock.ts';

/** How often the offset to the database clock is measured again. */
export const DB_CLOCK_RESYNC_MS = 30_000;
/** Round trips per measurement; the fastest one gives the offset (least queueing noise). */
const SAMPLES = 3;

/** The database time of the last measurement, the base's monotonic time it was taken at, and the base's wall - monotonic then. */
interface Anchor {
  db: number;
  monotonic: number;
  drift: number;
}

/**
 * A node's clock that agrees with the database's: `now()` is the database time measured at
 * the last sync (at the round trip's midpoint) plus the base's monotonic time since. Nodes
 * sharing a store then agree on what is due even when their own clocks are skewed, and
 * setting this machine's clock does not move `now()` at all: what crosses nodes (firings,
 * lease ends, startedAt) stays in database time. Durations (`monotonic`, `sleep`) are the
 * base clock's own: an offset does not change how long a millisecond is.
 *
 * The base's wall clock is still watched: when it moved against its monotonic clock by
 * more than CLOCK_JUMP_MS since the last measurement (someone set it, or the machine slept
 * and its monotonic clock stopped meanwhile), the offset is measured again at once.
 *
 * `sync()` measures once; `start()` measures, then again every `resyncMs` until `stop()`.
 * A failed measurement keeps the last offset (the database may be away for a while).
 */
export class DbSyncedClock implements Clock {
  private offset = 0;
  private anchor: Anchor | null = null;
  private stopper: AbortController | null = null;
  /** The resync loop's current wait; aborted to measure at once. */
  private nap: AbortController | null = null;
  private loop: Promise<void> = Promise.resolve();
  /** Told of each jump of the base's wall clock (ms, negative when set back), which `now()` does not follow. */
  onBaseJump: (jumpMs: number) => void = () => {};

  constructor(
    private readonly base: Clock,
    private readonly dbNow: () => Promise<number>,
    private readonly resyncMs = DB_CLOCK_RESYNC_MS,
  ) {}

  now(): number {
    const { anchor, base } = this;
    if (anchor === null) return base.now();
    const drift = base.now() - base.monotonic();
    if (Math.abs(drift - anchor.drift) > CLOCK_JUMP_MS) {
      const jump = drift - anchor.drift;
      anchor.drift = drift; // once per jump, even when the database does not answer the measurement
      this.nap?.abort();
      this.onBaseJump(jump);
    }
    return Math.round(anchor.db + (base.monotonic() - anchor.monotonic));
  }

  monotonic(): number {
    return this.base.monotonic();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }

  timer(ms: number, fire: () => void): () => void {
    return this.base.timer(ms, fire);
  }

  /** Database clock minus base clock, in ms, as last measured (0 before the first measurement). */
  get offsetMs(): number {
    return this.offset;
  }

  /** Whether a measurement ever succeeded. */
  get isSynced(): boolean {
    return this.anchor !== null;
  }

  /** Measures the offset now; rejects (keeping the previous offset) when the database does not answer. */
  async sync(): Promise<number> {
    const { base } = this;
    let best: { roundTrip: number; offset: number; anchor: Anchor } | null = null;
    for (let i = 0; i < SAMPLES; i++) {
      const [sent, sentAt] = [base.now(), base.monotonic()];
      const db = await this.dbNow();
      const [received, receivedAt] = [base.now(), base.monotonic()];
      const roundTrip = receivedAt - sentAt;
      if (best === null || roundTrip < best.roundTrip) {
        const midpoint = (sentAt + receivedAt) / 2;
        const anchor = { db, monotonic: midpoint, drift: (sent + received) / 2 - midpoint };
        best = { roundTrip, offset: db - (sent + received) / 2, anchor };
      }
    }
    const { offset, anchor } = best as { offset: number; anchor: Anchor };
    this.offset = Math.round(offset);
    this.anchor = anchor;
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
        this.nap = new AbortController();
        await this.base.sleep(this.resyncMs, AbortSignal.any([stopper.signal, this.nap.signal]));
        this.nap = null;
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
  return {
    now: () => base.now() + skewMs,
    monotonic: () => base.monotonic(),
    sleep: (ms, signal) => base.sleep(ms, signal),
    timer: (ms, fire) => base.timer(ms, fire),
  };
}

/** A node whose clock is further than this off the database's is reported (warning, nodes API, metrics). */
export const CLOCK_SKEW_LIMIT_MS = 5_000;

/** Whether an offset (a node's clock minus the database's; null: not measured) is past CLOCK_SKEW_LIMIT_MS. */
export function isClockSkewed(offsetMs: number | null): boolean {
  return offsetMs !== null && Math.abs(offsetMs) > CLOCK_SKEW_LIMIT_MS;
}
