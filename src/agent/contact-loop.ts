import type { AgentClient } from '../client/agent-client.ts';
import { type Clock, ClockJumpWatch, describeJump } from '../core/clock.ts';
import { TaskwardenError } from '../core/errors.ts';
import type { ContactReply } from '../protocol/agent.ts';
import { AGENT_LONG_POLL_MAX_SECONDS } from '../protocol/agent-constants.ts';
import { Backoff, jitter } from './backoff.ts';
import type { JobBoard } from './job-board.ts';
import type { AgentLog } from './log.ts';
import { localTimeZone } from './time-zone.ts';

export interface ContactLoopOptions {
  client: Pick<AgentClient, 'contact'>;
  board: Pick<JobBoard, 'freeSlots' | 'runningIds' | 'start' | 'stop' | 'nudge'>;
  clock: Clock;
  log: AgentLog;
  version: string;
  modules: string[];
  wakeUrl: string | null;
  /** Seconds a contact may wait for work (long poll); 0 = plain contacts every `contactSeconds`. */
  longPollSeconds: number;
  /** The server's contact interval until its first reply says otherwise. */
  contactSeconds: number;
  random?: () => number;
}

const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 60_000;
/** A long poll that comes back empty this fast is not re-sent at once (a server shutting down answers at once). */
const MIN_POLL_GAP_MS = 1000;

/**
 * The agent's side of the conversation: contact the server (FusionInventory getConfig +
 * getJobs in one), start the jobs it hands out, stop those it says to stop, then wait —
 * inside the next long poll, or `contactSeconds` with jitter, or less when woken (push
 * wake, a free slot). While the server is away, waits grow from 1 s to a 60 s cap. A wake
 * URL the server refuses (it must be the address the agent calls from) is dropped: the
 * agent goes on pull-only rather than not at all.
 */
export class ContactLoop {
  private contactSeconds: number;
  private readonly backoff: Backoff;
  private readonly random: () => number;
  private woken = false;
  private idle: AbortController | null = null;
  private wakeUrl: string | null;
  /** No answer to the last contact (or none yet, in this process): jobs it handed out may be lost. */
  private replyLost = true;
  private readonly clockJumps: ClockJumpWatch;

  constructor(private readonly opts: ContactLoopOptions) {
    this.clockJumps = new ClockJumpWatch(opts.clock);
    this.contactSeconds = opts.contactSeconds;
    this.wakeUrl = opts.wakeUrl;
    this.random = opts.random ?? Math.random;
    this.backoff = new Backoff(BACKOFF_BASE_MS, BACKOFF_CAP_MS, this.random);
  }

  /** Contact as soon as possible (push wake, slot freed). */
  wake(): void {
    this.woken = true;
    this.idle?.abort();
  }

  /** Runs until `stop` aborts; an in-flight contact is abandoned then. */
  async run(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      this.woken = false;
      const jump = this.clockJumps.check();
      if (jump !== null) {
        this.opts.log.warn(`the clock jumped ${describeJump(jump)}; job timeouts and waits keep their own measure`);
      }
      const capacity = this.opts.board.freeSlots();
      // With no free slot there is nothing to wait for: a freed slot wakes the loop instead.
      // After a failure, a short contact first: the server being back must be noticed at once.
      const wait = capacity > 0 && !this.backoff.failing ? this.longPollWait() : 0;
      const sentAt = this.opts.clock.monotonic();
      let reply: ContactReply;
      try {
        reply = await this.opts.client.contact(
          {
            version: this.opts.version,
            modules: this.opts.modules,
            running: this.opts.board.runningIds(),
            replyLost: this.replyLost,
            wait,
            capacity,
            wakeUrl: this.wakeUrl,
            ...localTimeZone(),
          },
          stop,
        );
      } catch (err) {
        this.replyLost = true;
        if (stop.aborted) return;
        if (this.wakeUrl !== null && isWakeUrlRefusal(err)) {
          this.opts.log.error(`the server refuses the wake URL ${this.wakeUrl} (${err.message}); going on pull-only`);
          this.wakeUrl = null;
          continue;
        }
        const delay = this.backoff.next();
        this.opts.log.warn(`contact failed: ${err instanceof Error ? err.message : String(err)}; next in ${delay} ms`);
        await this.pause(delay, stop);
        continue;
      }
      this.replyLost = false;
      if (this.backoff.failing) {
        this.opts.log.info('server reachable again');
        this.opts.board.nudge();
      }
      this.backoff.reset();
      this.contactSeconds = reply.contactSeconds;
      this.opts.board.stop(reply.stop);
      await this.opts.board.start(reply.jobs);
      if (this.woken) continue;
      await this.pause(this.nextDelay(reply, this.opts.clock.monotonic() - sentAt), stop);
    }
  }

  private nextDelay(reply: ContactReply, tookMs: number): number {
    const free = this.opts.board.freeSlots() > 0;
    // It handed out work: ask again at once while there is room for more, else a freed slot wakes us.
    if (reply.jobs.length > 0) return free ? 0 : this.periodic();
    // Long polling: back into the next poll at once — unless this one came back suspiciously fast.
    if (this.opts.longPollSeconds > 0 && free) return Math.max(0, MIN_POLL_GAP_MS - tookMs);
    return this.periodic();
  }

  private periodic(): number {
    return Math.round(jitter(this.contactSeconds * 1000, 0.1, this.random));
  }

  /** Long polls end at slightly different times across a fleet, so they do not come back together. */
  private longPollWait(): number {
    const seconds = Math.min(this.opts.longPollSeconds, AGENT_LONG_POLL_MAX_SECONDS);
    if (seconds <= 0) return 0;
    return Math.max(1, Math.round(seconds * (0.85 + 0.15 * this.random())));
  }

  private async pause(ms: number, stop: AbortSignal): Promise<void> {
    if (ms <= 0 || this.woken) return;
    const idle = new AbortController();
    this.idle = idle;
    const onStop = () => idle.abort();
    stop.addEventListener('abort', onStop, { once: true });
    try {
      await this.opts.clock.sleep(ms, idle.signal);
    } finally {
      stop.removeEventListener('abort', onStop);
      this.idle = null;
    }
  }
}

function isWakeUrlRefusal(err: unknown): err is TaskwardenError {
  return (
    err instanceof TaskwardenError &&
    err.code === 'invalid_input' &&
    (err.details as { field?: unknown } | undefined)?.field === 'wakeUrl'
  );
}
