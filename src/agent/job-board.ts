import type { Clock } from '../core/clock.ts';
import type { AgentEvent, AgentJob } from '../protocol/agent.ts';
import { type ChannelEnd, EventChannel, type EventSender } from './event-channel.ts';
import { type JobDeps, RunningJob } from './job.ts';
import type { AgentLog } from './log.ts';
import { SPOOLABLE_ID, type Spool, type SpoolFile } from './spool.ts';

export interface JobBoardOptions {
  concurrency: number;
  spool: Spool;
  sender: EventSender;
  jobDeps: JobDeps;
  clock: Clock;
  log: AgentLog;
  /** A job ended: a slot is free (the contact loop asks for more work). */
  onSlotFree(): void;
}

/** Attempts remembered as started: far more than one process runs between two contacts. */
const STARTED_KEPT = 10_000;

/**
 * The jobs this agent runs and the events it still owes the server. A jobstate counts as
 * running here, in the `running` list of each contact, until the server has its outcome:
 * otherwise a job that ended during an outage would look lost to the server.
 */
export class JobBoard {
  private readonly jobs = new Map<string, RunningJob>();
  private readonly channels = new Set<EventChannel>();
  /** `jobstate:attempt` of the attempts this process started, oldest first (see startOne). */
  private readonly started = new Set<string>();
  private closing = false;

  constructor(private readonly opts: JobBoardOptions) {}

  freeSlots(): number {
    return this.closing ? 0 : Math.max(0, this.opts.concurrency - this.jobs.size);
  }

  runningIds(): string[] {
    const ids = new Set(this.jobs.keys());
    for (const channel of this.channels) if (channel.owesOutcome) ids.add(channel.jobstate);
    return [...ids];
  }

  /**
   * Resends what an earlier process spooled and had not delivered. Waits for one try of
   * each, so that when the server is there it has the events before the first contact
   * tells it which jobs this (new) process runs.
   */
  async recover(): Promise<void> {
    const sending: Promise<void>[] = [];
    for (const spooled of await this.opts.spool.recover()) {
      const what = `jobstate ${spooled.jobstate} attempt ${spooled.attempt}`;
      if (spooled.unreadable > 0)
        this.opts.log.warn(`spool of ${what}: ${spooled.unreadable} unreadable lines left out`);
      const file = await this.opts.spool.open(spooled.jobstate, spooled.attempt);
      if (spooled.events.length === 0) {
        await file.remove();
        continue;
      }
      this.opts.log.info(`resending ${spooled.events.length} spooled events of ${what}`);
      const channel = this.channel(spooled.jobstate, spooled.attempt, file, () => {}, spooled.events);
      sending.push(channel.flush());
    }
    await Promise.all(sending);
  }

  async start(jobs: readonly AgentJob[]): Promise<void> {
    for (const job of jobs) await this.startOne(job);
  }

  /** The server ended these jobstates (cancelled, timed out, reassigned): stop them, send nothing more. */
  stop(ids: readonly string[]): void {
    for (const id of ids) {
      this.jobs.get(id)?.stop('cancelled');
      for (const channel of this.channels) if (channel.jobstate === id) void channel.drop('gone');
    }
  }

  /** The server is back: every channel resends now. */
  nudge(): void {
    for (const channel of this.channels) channel.nudge();
  }

  /**
   * Stops taking jobs, stops the running ones (they report `interrupted`), gives their
   * events `graceMs` to reach the server, then leaves the rest fsynced in the spool.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.closing = true;
    for (const job of this.jobs.values()) job.stop('shutdown');
    await Promise.all([...this.jobs.values()].map((job) => job.done));
    const deadline = new AbortController();
    const channels = [...this.channels];
    // One more try each, even for those waiting out a retry: the server may be back.
    for (const channel of channels) channel.nudge();
    await Promise.race([Promise.all(channels.map((c) => c.ended)), this.opts.clock.sleep(graceMs, deadline.signal)]);
    deadline.abort();
    await Promise.all(channels.map((c) => c.park()));
  }

  private async startOne(job: AgentJob): Promise<void> {
    if (this.closing) return;
    if (!SPOOLABLE_ID.test(job.jobstate)) {
      this.opts.log.warn(`job ignored: jobstate id "${job.jobstate.slice(0, 100)}" is not a plain id`);
      return;
    }
    const current = this.jobs.get(job.jobstate);
    if (current && current.job.attempt >= job.attempt) return;
    // The server offers an attempt again when it thinks the reply that handed it out was
    // lost; if that reply did arrive, the attempt ran here already and must not run twice.
    const key = `${job.jobstate}:${job.attempt}`;
    if (this.started.has(key)) {
      this.opts.log.warn(`job ${job.jobstate} attempt ${job.attempt} offered again: it was started already, ignored`);
      return;
    }
    if (current) this.stop([job.jobstate]);
    let file: SpoolFile;
    try {
      file = await this.opts.spool.open(job.jobstate, job.attempt);
    } catch (err) {
      // Not run: left out of the next contact's running list, the server sees it lost and retries per policy.
      this.opts.log.error(`job ${job.jobstate} not started, its spool cannot be written: ${(err as Error).message}`);
      return;
    }
    this.started.add(key);
    if (this.started.size > STARTED_KEPT) this.started.delete(this.started.values().next().value as string);
    let running: RunningJob | undefined;
    // The server no longer wants this attempt's events (409, 410, refused): running it on is pointless.
    const channel = this.channel(job.jobstate, job.attempt, file, (end) => {
      if (end !== 'delivered') running?.stop('cancelled');
    });
    running = new RunningJob(job, channel, this.opts.jobDeps);
    this.jobs.set(job.jobstate, running);
    this.opts.log.info(`job ${job.jobstate} (${job.module}, attempt ${job.attempt}) started`);
    const started = running;
    void started.done.then(() => {
      if (this.jobs.get(job.jobstate) === started) this.jobs.delete(job.jobstate);
      this.opts.log.info(`job ${job.jobstate} ended`);
      this.opts.onSlotFree();
    });
  }

  private channel(
    jobstate: string,
    attempt: number,
    file: SpoolFile,
    onEnd: (end: ChannelEnd) => void,
    spooled?: AgentEvent[],
  ): EventChannel {
    const channel: EventChannel = new EventChannel({
      jobstate,
      attempt,
      file,
      sender: this.opts.sender,
      clock: this.opts.clock,
      log: this.opts.log,
      spooled,
      sealed: spooled !== undefined,
      onEnd: (end) => {
        this.channels.delete(channel);
        if (end !== 'delivered') this.opts.log.info(`events of jobstate ${jobstate} attempt ${attempt}: ${end}`);
        onEnd(end);
      },
    });
    this.channels.add(channel);
    return channel;
  }
}
