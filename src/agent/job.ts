import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, sleepRunning } from '../core/clock.ts';
import { formatDuration } from '../core/duration.ts';
import { ValidationError } from '../core/errors.ts';
import type { JobstateReason, LogStream } from '../core/model.ts';
import type { AgentJobContext, AgentOutcome, ModuleRegistry } from '../core/ports/module.ts';
import type { AgentJob } from '../protocol/agent.ts';
import type { EventChannel } from './event-channel.ts';
import type { AgentLog } from './log.ts';
import type { PauseWatch } from './pause-watch.ts';

/** Why a job was stopped before its module returned. */
export type StopCause = 'cancelled' | 'timeout' | 'shutdown';

export interface JobDeps {
  modules: ModuleRegistry;
  clock: Clock;
  /** When the agent did not run (real agents on the system clock); time paused counts toward no timeout. */
  pauses?: Pick<PauseWatch, 'pausedSince'> | undefined;
  log: AgentLog;
  /** `<data>/modules`: each module gets its own folder under it. */
  modulesDir: string;
  /** Where deploy extracts relative paths. */
  packageRoot: string;
  fetchFile(sha256: string, signal?: AbortSignal): Promise<string>;
}

/** How long a module may take to return once its job was stopped, before the slot is freed anyway. */
const STOP_GRACE_MS = 10_000;
/** The protocol's limit on one log line (protocol/agent.ts). */
const MAX_LINE = 8192;

/**
 * One job on this agent: runs the module's agent half with a signal that aborts on cancel,
 * timeout or shutdown, and reports `started`, its lines and progress, then `finished` or
 * `error` through the job's event channel. `done` resolves when the slot is free again.
 */
export class RunningJob {
  readonly done: Promise<void>;
  private readonly controller = new AbortController();
  /** How long the agent did not run while the job ran, as the job's timeout found it (ms). */
  private paused = 0;

  constructor(
    readonly job: AgentJob,
    private readonly events: EventChannel,
    private readonly deps: JobDeps,
  ) {
    this.done = this.run();
  }

  get id(): string {
    return this.job.jobstate;
  }

  stop(cause: StopCause): void {
    if (!this.controller.signal.aborted) this.controller.abort(cause);
  }

  private async run(): Promise<void> {
    const { job } = this;
    this.events.emit({ type: 'started' });
    const finished = new AbortController();
    void this.stopAtTimeout(finished.signal);
    let outcome: AgentOutcome;
    try {
      outcome = await this.outcome();
    } catch (err) {
      outcome = this.refuse(`job ${job.jobstate} could not run: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      finished.abort();
    }
    this.report(outcome);
  }

  /**
   * The job's timeout, enforced here and measured on the agent's monotonic clock, less the
   * time the agent did not run (PauseWatch): a job that ended while the agent was stopped
   * is reported as it ended once the agent runs again, not as timed out. The server waits
   * for this report up to the timeout plus its grace (engine/late-reports.ts).
   */
  private async stopAtTimeout(finished: AbortSignal): Promise<void> {
    this.paused = await sleepRunning(this.deps.clock, this.job.timeoutSeconds * 1000, finished, this.pausedSince);
    if (!finished.aborted) this.stop('timeout');
  }

  private readonly pausedSince = (since: number): number => this.deps.pauses?.pausedSince(since) ?? 0;

  private async outcome(): Promise<AgentOutcome> {
    const { job, deps } = this;
    const module = deps.modules.get(job.module);
    if (!module?.agent) {
      return this.refuse(`module "${job.module}" cannot run on this agent`, 'module_unknown');
    }
    let params: Record<string, unknown>;
    try {
      params = module.parseParams(job.params, 'params');
    } catch (err) {
      if (err instanceof ValidationError) return this.refuse(err.message, 'module_failed');
      throw err;
    }
    const dataDir = join(deps.modulesDir, module.name);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const signal = this.controller.signal;
    // Stopped before it began (the server's stop list, a shutdown): the module never starts.
    if (signal.aborted) return { ok: false };
    const ctx: AgentJobContext<Record<string, unknown>> = {
      params,
      payload: job.payload,
      jobstate: { id: job.jobstate, attempt: job.attempt, timeoutSeconds: job.timeoutSeconds },
      signal,
      clock: deps.clock,
      pausedSince: this.pausedSince,
      dataDir,
      packageRoot: deps.packageRoot,
      log: (line, stream) => this.log(line, stream),
      progress: (percent, message) => {
        if (!Number.isFinite(percent)) return;
        this.events.emit({
          type: 'progress',
          percent: Math.min(100, Math.max(0, percent)),
          ...(message === undefined ? {} : { message: message.slice(0, 500) }),
        });
      },
      fetchFile: (sha256) => deps.fetchFile(sha256, signal),
    };
    try {
      return await this.untilStoppedForGood(module.agent.run(ctx));
    } catch (err) {
      return this.refuse(`module "${job.module}" failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The module's outcome, or, when it ignores its stopped signal past the grace, a failed one. */
  private untilStoppedForGood(running: Promise<AgentOutcome>): Promise<AgentOutcome> {
    const signal = this.controller.signal;
    const givenUp = new Promise<AgentOutcome>((resolve) => {
      const giveUp = async () => {
        const settled = new AbortController();
        const done = () => settled.abort();
        running.then(done, done);
        await this.deps.clock.sleep(STOP_GRACE_MS, settled.signal);
        if (!settled.signal.aborted) {
          this.deps.log.warn(`job ${this.id}: module "${this.job.module}" ignored its stop; slot freed`);
          resolve({ ok: false });
        }
      };
      if (signal.aborted) void giveUp();
      else signal.addEventListener('abort', () => void giveUp(), { once: true });
    });
    return Promise.race([running, givenUp]);
  }

  private report(outcome: AgentOutcome): void {
    const cause = this.controller.signal.aborted ? (this.controller.signal.reason as StopCause) : null;
    // A cancelled jobstate has already ended on the server; whatever the module says is not wanted.
    if (cause === 'cancelled') return;
    if (outcome.ok) {
      this.events.emit({ type: 'finished', ...resultOf(outcome) });
      return;
    }
    let reason: JobstateReason = outcome.reason ?? 'module_failed';
    if (cause === 'timeout') {
      const paused = this.paused > 0 ? ` (not counting ${Math.round(this.paused / 1000)}s the agent did not run)` : '';
      this.log(`stopped: ran longer than its timeout of ${formatDuration(this.job.timeoutSeconds)}${paused}`, 'info');
      reason = 'timeout';
    } else if (cause === 'shutdown') {
      this.log('stopped: the agent is shutting down', 'info');
      reason = 'interrupted';
    }
    this.events.emit({ type: 'error', reason, ...resultOf(outcome) });
  }

  private refuse(message: string, reason: JobstateReason = 'module_failed'): AgentOutcome {
    this.log(message, 'info');
    return { ok: false, reason, result: { error: message } };
  }

  private log(line: string, stream: LogStream = 'info'): void {
    this.events.emit({ type: 'log', stream, line: line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line });
  }
}

function resultOf(outcome: AgentOutcome): { result?: unknown } {
  return outcome.result === undefined ? {} : { result: outcome.result };
}
