import { TaskwardenError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { composeMessage, type MessageContent } from '../../core/notify.ts';
import {
  type AttemptEnd,
  type Channel,
  type Delivery,
  DeliveryRefused,
  type Notifier,
} from '../../core/ports/notifications.ts';
import type { EngineContext } from '../context.ts';

export interface NotifyOptions {
  /** At most one message per channel per window; events in between go out as one digest. */
  digestWindowMs: number;
  /** One attempt's time to answer (webhook) or hand over (mail). */
  timeoutMs: number;
  /** Wait before the first retry; each next one waits 3 times longer, up to retryMaxMs. */
  retryFirstMs: number;
  retryMaxMs: number;
  /** A delivery not sent this long after it was made is given up (failed). */
  giveUpAfterMs: number;
  /** How long a claimed delivery stays this node's; another node may take it over after. */
  leaseMs: number;
  /** Messages this node sends at once. */
  concurrency: number;
  /** Ended deliveries are kept this long in the delivery log. */
  keepMs: number;
}

const HOUR = 3_600_000;
export const DEFAULT_NOTIFY_OPTIONS: NotifyOptions = {
  digestWindowMs: 60_000,
  timeoutMs: 5_000,
  retryFirstMs: 10_000,
  retryMaxMs: HOUR,
  giveUpAfterMs: 24 * HOUR,
  leaseMs: 60_000,
  concurrency: 8,
  keepMs: 30 * 24 * HOUR,
};

/** Channels bundled per transaction, and events per channel per message. */
const BUNDLE_CHANNELS = 50;
const EVENTS_PER_MESSAGE = 1000;
const PRUNE_EVERY_MS = HOUR;
const RETRY_FIRST_MS = 100;

/**
 * Sends the queued notifications of every node's runs, on its own loop beside the engine's:
 * a pass turns each channel's queued events into one message once its digest window is
 * open, then leases due messages (skipping those another node holds) and sends each with
 * a timeout, without waiting for them; an attempt's end is written only under its lease.
 * A failed one is tried again later with a growing wait until giveUpAfterMs, a refused one
 * (allow list, no mail server) not at all. A node that dies mid-send leaves its lease to
 * run out: another node sends again, with the same delivery id for receivers to see.
 */
export class DeliveryLoop {
  private readonly inFlight = new Set<Promise<void>>();
  private sleeper = new AbortController();
  /** Aborted when a stop's grace ran out: the sends under way give up. */
  private sends = new AbortController();
  private running: Promise<void> | null = null;
  private stopping = false;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ctx: EngineContext,
    private readonly notifier: Notifier,
    readonly options: NotifyOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.sends = new AbortController();
    this.running = this.run();
  }

  /** Stops looking for work; sends under way get `graceMs`, then are cut (and retried later, here or elsewhere). */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.kick();
    await this.running;
    this.running = null;
    const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(this.inFlight), timer]);
    this.sends.abort();
    await Promise.all(this.inFlight);
  }

  /**
   * Longest sleep between two passes. Where this node is the store's only writer (SQLite)
   * every due time is in nextDueAt or announced by a kick (a run end queued here): the
   * engine's safety pass interval. Elsewhere other nodes queue too: maxSleepMs.
   */
  private get pollMs(): number {
    const { store, options } = this.ctx;
    return store.capabilities.multiNode ? options.maxSleepMs : Math.max(options.maxSleepMs, options.safetyPassMs);
  }

  /** Something may be due now (a run end was queued, a send ended). */
  kick(): void {
    this.sleeper.abort();
  }

  /**
   * Sends a test message to `channel` now, outside the queue and without retries, and
   * returns its delivery as it ended (it shows in the delivery log like any other).
   */
  async sendTest(channel: Channel): Promise<Delivery> {
    const { store, clock } = this.ctx;
    const now = clock.now();
    const owner = this.owner();
    const content: MessageContent = {
      event: 'test',
      summary: `Test message of the Taskwarden channel "${channel.name}"`,
      channel: { id: channel.id, name: channel.name },
    };
    const delivery = this.newDelivery(channel, content, 0, now);
    await store.deliveries.insert({
      ...delivery,
      attempts: 1,
      leaseOwner: owner,
      leaseExpiresAt: now + this.options.leaseMs,
    });
    const failure = await this.sendOnce(delivery, channel);
    const end = clock.now();
    await store.deliveries.endAttempt(delivery.id, owner, {
      status: failure ? 'failed' : 'delivered',
      lastError: failure?.message ?? null,
      nextAttemptAt: null,
      deliveredAt: failure ? null : end,
      updatedAt: end,
    });
    const ended = await store.deliveries.get(delivery.id);
    if (!ended) throw new TaskwardenError('not_found', 'the channel was deleted meanwhile');
    return ended;
  }

  /** One pass: bundle what may go, then start what is due, up to the free slots. */
  async pass(): Promise<void> {
    const { store, clock } = this.ctx;
    await this.bundle();
    const free = this.options.concurrency - this.inFlight.size;
    if (free > 0 && !this.stopping) {
      const now = clock.now();
      const owner = this.owner();
      for (const delivery of await store.deliveries.claimDue(owner, now, now + this.options.leaseMs, free)) {
        const sending: Promise<void> = this.attempt(delivery, owner)
          .catch((err: unknown) =>
            this.ctx.log.warn(`delivery ${delivery.id}: its attempt's end could not be written (${messageOf(err)})`),
          )
          .finally(() => {
            this.inFlight.delete(sending);
            this.kick();
          });
        this.inFlight.add(sending);
      }
    }
    const now = clock.now();
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      await store.deliveries.deleteEndedBefore(now - this.options.keepMs, 1000);
      this.lastPrune = now;
    }
  }

  private async run(): Promise<void> {
    const { clock, store, log, options } = this.ctx;
    let failures = 0;
    while (!this.stopping) {
      this.sleeper = new AbortController();
      let sleepMs: number;
      try {
        await this.pass();
        const next = await store.deliveries.nextDueAt();
        sleepMs = Math.min(this.pollMs, next === null ? Number.POSITIVE_INFINITY : next - clock.now());
        failures = 0;
      } catch (err) {
        if (failures === 0) log.warn(`taskwarden notifications: a delivery pass failed (${messageOf(err)}); retrying`);
        failures++;
        sleepMs = Math.min(options.maxSleepMs, RETRY_FIRST_MS * 2 ** Math.min(failures, 20));
      }
      if (!this.stopping) await clock.sleep(Math.max(0, sleepMs), this.sleeper.signal);
    }
  }

  /**
   * Each channel whose window is open: its queued events become one message, in the
   * transaction that takes them. Read first: an idle node's passes take no write
   * transaction (on SQLite the file's write lock).
   */
  private async bundle(): Promise<void> {
    const { store, clock } = this.ctx;
    const { digestWindowMs } = this.options;
    if (!(await store.deliveries.hasQueued(clock.now()))) return;
    for (let made = BUNDLE_CHANNELS; made === BUNDLE_CHANNELS && !this.stopping; ) {
      made = await store.transaction(async (tx) => {
        const now = clock.now();
        const taken = await tx.deliveries.takeQueued(now, digestWindowMs, {
          channels: BUNDLE_CHANNELS,
          perChannel: EVENTS_PER_MESSAGE,
        });
        for (const { channel, events } of taken) {
          const content = composeMessage(
            events.map((e) => e.event),
            digestWindowMs,
          );
          await tx.deliveries.insert(this.newDelivery(channel, content, events.length, now));
        }
        return taken.length;
      });
    }
  }

  /** One attempt of a claimed delivery, and its end: delivered, retried later, or given up. */
  private async attempt(delivery: Delivery, owner: string): Promise<void> {
    const { store, clock } = this.ctx;
    const channel = await store.channels.get(delivery.channelId);
    if (!channel) return; // deleted meanwhile, with its deliveries
    const failure = await this.sendOnce(delivery, channel);
    await store.deliveries.endAttempt(delivery.id, owner, this.endOf(delivery, failure, clock.now()));
  }

  private endOf(delivery: Delivery, failure: Error | null, now: number): AttemptEnd {
    if (!failure)
      return { status: 'delivered', lastError: null, nextAttemptAt: null, deliveredAt: now, updatedAt: now };
    const { retryFirstMs, retryMaxMs, giveUpAfterMs } = this.options;
    const wait = Math.min(retryMaxMs, retryFirstMs * 3 ** Math.max(0, delivery.attempts - 1));
    const retryAt = now + wait;
    const final = failure instanceof DeliveryRefused || retryAt > delivery.createdAt + giveUpAfterMs;
    return {
      status: final ? 'failed' : 'retrying',
      lastError: failure.message,
      nextAttemptAt: final ? null : retryAt,
      deliveredAt: null,
      updatedAt: now,
    };
  }

  /** Sends once within timeoutMs; null when it went, else why not. */
  private async sendOnce(delivery: Delivery, channel: Channel): Promise<Error | null> {
    const { timeoutMs } = this.options;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([timeout, this.sends.signal]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A notifier that ignores its signal still loses the race.
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer')), timeoutMs + 100);
    });
    try {
      await Promise.race([
        this.notifier.send({ deliveryId: delivery.id, channel, content: delivery.content }, signal),
        late,
      ]);
      return null;
    } catch (err) {
      if (timeout.aborted) return new Error(`no answer within ${timeoutMs / 1000} s`);
      if (this.sends.signal.aborted) return new Error('the server shut down while sending');
      return err instanceof Error ? err : new Error(String(err));
    } finally {
      clearTimeout(timer);
    }
  }

  private newDelivery(channel: Channel, content: MessageContent, eventCount: number, now: number): Delivery {
    return {
      id: newId(),
      channelId: channel.id,
      orgId: channel.orgId,
      status: 'pending',
      content,
      eventCount,
      attempts: 0,
      lastError: null,
      nextAttemptAt: now,
      deliveredAt: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  /** A lease owner token of its own per claim, as the executor's: a write under a lost lease is refused. */
  private owner(): string {
    return `${this.ctx.options.nodeId}/${newId()}`;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
