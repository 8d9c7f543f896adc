import { join } from 'node:path';
import { AgentClient } from '../client/agent-client.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import type { ModuleRegistry } from '../core/ports/module.ts';
import type { ModuleList } from '../modules/load.ts';
import { ContactLoop } from './contact-loop.ts';
import { ensureEnrolled } from './enrolment.ts';
import { FileCache } from './file-cache.ts';
import { JobBoard } from './job-board.ts';
import { type AgentLog, createAgentLog } from './log.ts';
import { PauseWatch } from './pause-watch.ts';
import { Spool } from './spool.ts';
import { wakeUrlFor } from './wake-address.ts';
import { startWakeListener, type WakeListener } from './wake-listener.ts';

export interface AgentConfig {
  /** Absolute path of the agent's folder: agent.json, spool/, cache/, modules/, packages/. */
  dataDir: string;
  /** Absolute folder deploy extracts relative paths under; default `<dataDir>/packages`. */
  packageRoot?: string | undefined;
  server?: string | undefined;
  enrolToken?: string | undefined;
  deviceId?: string | undefined;
  name?: string | undefined;
  tags?: string[] | undefined;
  /** Push-wake listener, or null for a pull-only agent. */
  listen: { host: string; port: number; wakeUrl?: string | undefined } | null;
  concurrency: number;
  longPollSeconds: number;
  version: string;
  /** Extra module packages (`--modules`, TASKWARDEN_MODULES), loaded at start by agentModules. */
  modules?: ModuleList | undefined;
  /** How long a shutdown waits for the last events to reach the server before leaving them spooled. */
  shutdownGraceMs?: number;
}

export interface AgentDeps {
  modules: ModuleRegistry;
  clock?: Clock;
  log?: AgentLog;
}

const DEFAULT_SHUTDOWN_GRACE_MS = 5000;
const DEFAULT_CONTACT_SECONDS = 60;

/**
 * A running agent: enrolled (or enrolling), resending what an earlier run spooled,
 * listening for push wakes if asked, and contacting the server until `stop`.
 */
export class AgentRuntime {
  private stopped: Promise<void> | null = null;

  private constructor(
    readonly agentId: string,
    readonly server: string,
    /** What the server is told to POST wakes to, or null. */
    readonly wakeUrl: string | null,
    private readonly board: JobBoard,
    private readonly listener: WakeListener | null,
    private readonly stopping: AbortController,
    private readonly loop: Promise<void>,
    private readonly graceMs: number,
  ) {}

  static async start(config: AgentConfig, deps: AgentDeps, signal?: AbortSignal): Promise<AgentRuntime> {
    const clock = deps.clock ?? systemClock;
    const log = deps.log ?? createAgentLog();
    const pauses =
      clock === systemClock
        ? new PauseWatch((ms) =>
            log.warn(`the agent did not run for ${Math.round(ms)} ms (stopped, suspended or blocked)`),
          )
        : null;
    const stopping = new AbortController();
    signal?.addEventListener('abort', () => stopping.abort(), { once: true });
    stopping.signal.addEventListener('abort', () => pauses?.close(), { once: true });
    const moduleNames = deps.modules
      .list()
      .filter((m) => m.agent)
      .map((m) => m.name);
    const { state, contactSeconds } = await ensureEnrolled(
      { ...config, token: config.enrolToken, modules: moduleNames },
      { clock, log, signal: stopping.signal },
    );
    const client = new AgentClient({ server: state.server, credential: state });
    const files = new FileCache(join(config.dataDir, 'cache'), client);
    let loop: ContactLoop | null = null;
    const board = new JobBoard({
      concurrency: config.concurrency,
      spool: new Spool(join(config.dataDir, 'spool')),
      sender: client,
      clock,
      log,
      jobDeps: {
        modules: deps.modules,
        clock,
        pauses: pauses ?? undefined,
        log,
        modulesDir: join(config.dataDir, 'modules'),
        packageRoot: config.packageRoot ?? join(config.dataDir, 'packages'),
        fetchFile: (sha256, fileSignal) => files.fetch(sha256, fileSignal),
      },
      onSlotFree: () => loop?.wake(),
    });
    await board.recover();
    const listener = config.listen
      ? await startWakeListener({
          ...config.listen,
          agentId: state.agentId,
          secret: state.secret,
          clock,
          log,
          onWake: () => loop?.wake(),
        })
      : null;
    const wakeUrl = listener ? (config.listen?.wakeUrl ?? (await wakeUrlFor(listener.address, state.server))) : null;
    loop = new ContactLoop({
      client,
      board,
      clock,
      log,
      version: config.version,
      modules: moduleNames,
      wakeUrl,
      longPollSeconds: config.longPollSeconds,
      contactSeconds: contactSeconds ?? DEFAULT_CONTACT_SECONDS,
    });
    log.info(
      `agent ${state.agentId} working for ${state.server}${wakeUrl ? `, woken at ${wakeUrl}` : ''}` +
        ` (${config.concurrency} slots, modules: ${moduleNames.join(', ') || 'none'})`,
    );
    const running = loop.run(stopping.signal);
    return new AgentRuntime(
      state.agentId,
      state.server,
      wakeUrl,
      board,
      listener,
      stopping,
      running,
      config.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS,
    );
  }

  /** Stops taking jobs, stops the running ones, sends or spools their last events, closes the listener. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort();
      await this.loop;
      await this.board.shutdown(this.graceMs);
      await this.listener?.close();
    })();
    return this.stopped;
  }
}
