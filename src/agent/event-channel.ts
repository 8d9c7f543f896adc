import { type EventsResult, isServerAway } from '../client/agent-client.ts';
import type { Clock } from '../core/clock.ts';
import { TaskwardenError } from '../core/errors.ts';
import type { AgentEvent, EventsBody } from '../protocol/agent.ts';
import { Backoff } from './backoff.ts';
import type { AgentLog } from './log.ts';
import type { SpoolFile } from './spool.ts';

/** Where events go: the agent client's `events` call. */
export interface EventSender {
  events(jobstateId: string, body: EventsBody, signal?: AbortSignal): Promise<EventsResult>;
}

/** An event as a job reports it; the channel numbers and stamps it. */
export type NewEvent = AgentEvent extends infer E ? (E extends AgentEvent ? Omit<E, 'seq' | 'ts'> : never) : never;

/**
 * How a channel ended: the server has every event (`delivered`), wants none because a newer
 * attempt exists (`stale`, 409) or the jobstate ended without us (`gone`, 410, or the contact
 * reply's stop list), or refused them for good (`refused`, e.g. 400/404).
 */
export type ChannelEnd = 'delivered' | 'stale' | 'gone' | 'refused';

export interface ChannelOptions {
  jobstate: string;
  attempt: number;
  file: SpoolFile;
  sender: EventSender;
  clock: Clock;
  log: AgentLog;
  /** Events an earlier process spooled: sent first; numbering goes on after them. */
  spooled?: AgentEvent[];
  /** No event will be added (recovered spool): the channel ends once what it has is delivered. */
  sealed?: boolean;
  onEnd?(end: ChannelEnd): void;
}

const FLUSH_MS = 500;
const FLUSH_LINES = 100;
const MAX_BATCH_EVENTS = 1000;
/** Half the server's limit on an events body (256 KiB), so a batch of 8 KiB lines always fits. */
const MAX_BATCH_BYTES = 128 * 1024;
const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 30_000;

const isTerminal = (e: { type: string }) => e.type === 'finished' || e.type === 'error';

/**
 * The events of one (jobstate, attempt), on their way to the server: numbered from 1,
 * batched (every FLUSH_MS or FLUSH_LINES lines, at once for the last event), spooled to
 * disk before they are sent, resent until the server has them, dropped when it says 409/410.
 */
export class EventChannel {
  readonly jobstate: string;
  readonly attempt: number;
  /** Resolves once the channel has ended, however it ended. */
  readonly ended: Promise<ChannelEnd>;
  private seq: number;
  private buffer: AgentEvent[] = [];
  private unsent: AgentEvent[];
  private sealed: boolean;
  private hasOutcome: boolean;
  private end: ChannelEnd | null = null;
  private parked = false;
  private resolveEnded!: (end: ChannelEnd) => void;
  private flushing: Promise<void> | null = null;
  private again = false;
  private timer: AbortController | null = null;
  /** Set while a send failed and the retry is pending: new events are spooled, not sent, until then. */
  private retryTimer: AbortController | null = null;
  private readonly inFlight = new AbortController();
  private readonly retry = new Backoff(RETRY_BASE_MS, RETRY_CAP_MS);

  constructor(private readonly opts: ChannelOptions) {
    this.jobstate = opts.jobstate;
    this.attempt = opts.attempt;
    this.unsent = [...(opts.spooled ?? [])];
    this.seq = this.unsent.at(-1)?.seq ?? 0;
    this.hasOutcome = this.unsent.some(isTerminal);
    this.sealed = opts.sealed === true || this.hasOutcome;
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  /** Still has events for the server. */
  get open(): boolean {
    return this.end === null;
  }

  /**
   * Holds the job's outcome (`finished`/`error`) the server has not acknowledged: the agent
   * keeps reporting the jobstate as running until then, or the server would call it lost.
   * A spool left by a process that died mid-job has no outcome: that job is lost indeed.
   */
  get owesOutcome(): boolean {
    return this.hasOutcome && this.end === null;
  }

  emit(event: NewEvent): void {
    if (this.sealed || this.end !== null || this.parked) return;
    const numbered = { ...event, seq: ++this.seq, ts: this.opts.clock.now() } as AgentEvent;
    this.buffer.push(numbered);
    if (isTerminal(numbered)) {
      this.sealed = true;
      this.hasOutcome = true;
      void this.flush();
    } else if (this.buffer.filter((e) => e.type === 'log').length >= FLUSH_LINES) {
      void this.flush();
    } else if (this.timer === null) {
      const timer = new AbortController();
      this.timer = timer;
      void this.opts.clock.sleep(FLUSH_MS, timer.signal).then(() => {
        if (!timer.signal.aborted) void this.flush();
      });
    }
  }

  /** Spools what is buffered and sends what the server lacks. Never rejects. */
  flush(): Promise<void> {
    this.timer?.abort();
    this.timer = null;
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      do {
        this.again = false;
        await this.spoolBuffer();
        await this.sendUnsent();
      } while (this.again && this.end === null && !this.parked);
    })()
      .catch((err: unknown) => this.opts.log.warn(`events of ${this.jobstate}: ${messageOf(err)}`))
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  /** The server is reachable again: try now instead of waiting for the next retry. */
  nudge(): void {
    if (this.retryTimer === null || this.end !== null || this.parked) return;
    this.retryNow();
  }

  /** The server ended the jobstate without us (contact reply's stop list): nothing more is sent. */
  drop(end: 'gone' | 'stale'): Promise<void> {
    return this.finish(end);
  }

  /**
   * Shutdown: stop sending, put every event on the disk (fsynced) and leave the file for the
   * next start to resend. The channel stays open as far as the server is concerned.
   */
  async park(): Promise<void> {
    if (this.end !== null || this.parked) return;
    this.parked = true;
    this.timer?.abort();
    this.retryTimer?.abort();
    this.inFlight.abort();
    await this.flushing;
    const events = this.buffer.splice(0);
    await this.opts.file.append(events, true);
    await this.opts.file.close();
  }

  private async spoolBuffer(): Promise<void> {
    const events = this.buffer.splice(0);
    if (events.length === 0) return;
    // Queued for sending even if the disk write fails: a full disk must not lose the job's outcome.
    this.unsent.push(...events);
    await this.opts.file.append(events, events.some(isTerminal));
  }

  private async sendUnsent(): Promise<void> {
    if (this.retryTimer !== null) return;
    while (this.unsent.length > 0 && this.end === null && !this.parked) {
      const batch = takeBatch(this.unsent);
      let result: EventsResult;
      try {
        result = await this.opts.sender.events(
          this.jobstate,
          { attempt: this.attempt, events: batch },
          this.inFlight.signal,
        );
      } catch (err) {
        if (this.parked) return;
        if (isServerAway(err) || isRefusedCredential(err)) return this.scheduleRetry(err);
        this.opts.log.warn(`events of ${this.jobstate} refused by the server, dropped: ${messageOf(err)}`);
        return this.finish('refused');
      }
      this.retry.reset();
      if (result.status !== 'applied') return this.finish(result.status);
      const before = this.unsent.length;
      this.unsent = this.unsent.filter((e) => e.seq > result.lastSeq);
      if (this.unsent.length === before) {
        // The server keeps none of them (it lacks an earlier seq we no longer have): resending cannot help.
        this.opts.log.warn(`events of ${this.jobstate}: server stays at seq ${result.lastSeq}, dropped`);
        return this.finish('refused');
      }
    }
    if (this.sealed && this.unsent.length === 0 && this.buffer.length === 0 && this.end === null) {
      await this.finish('delivered');
    }
  }

  private scheduleRetry(err: unknown): void {
    const delay = this.retry.next();
    this.opts.log.debug(`events of ${this.jobstate} not sent (${messageOf(err)}); retry in ${delay} ms`);
    const timer = new AbortController();
    this.retryTimer = timer;
    void this.opts.clock.sleep(delay, timer.signal).then(() => {
      if (!timer.signal.aborted) this.retryNow();
    });
  }

  private retryNow(): void {
    this.retryTimer?.abort();
    this.retryTimer = null;
    void this.flush();
  }

  private async finish(end: ChannelEnd): Promise<void> {
    if (this.end !== null) return;
    this.end = end;
    this.timer?.abort();
    this.retryTimer?.abort();
    this.inFlight.abort();
    this.buffer = [];
    this.unsent = [];
    try {
      await this.opts.file.remove();
    } catch (err) {
      this.opts.log.warn(`cannot remove ${this.opts.file.path}: ${messageOf(err)}`);
    }
    this.resolveEnded(end);
    this.opts.onEnd?.(end);
  }
}

/** The first events of `queue`, at most MAX_BATCH_EVENTS and about MAX_BATCH_BYTES of JSON (never zero events). */
function takeBatch(queue: readonly AgentEvent[]): AgentEvent[] {
  let bytes = 0;
  let count = 0;
  for (const event of queue) {
    bytes += JSON.stringify(event).length;
    if (count > 0 && (bytes > MAX_BATCH_BYTES || count >= MAX_BATCH_EVENTS)) break;
    count++;
  }
  return queue.slice(0, count);
}

/** A revoked or disabled agent may be re-enabled: its events wait rather than being lost. */
function isRefusedCredential(err: unknown): boolean {
  return err instanceof TaskwardenError && (err.status === 401 || err.status === 403);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
