import type { Clock } from '../core/clock.ts';
import { notFound, TaskwardenError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { type Run, type Task, type TaskDef, TERMINAL_RUN_STATUSES } from '../core/model.ts';
import type { ModuleRegistry, ModuleServices } from '../core/ports/module.ts';
import type { Store } from '../core/ports/store.ts';
import { advanceWaiting } from './advance.ts';
import { AgentDispatch } from './agents.ts';
import {
  DEFAULT_ENGINE_OPTIONS,
  type EngineContext,
  type EngineListener,
  type EngineLog,
  type EngineOptions,
  type TargetResolver,
  withTx,
} from './context.ts';
import { Executor } from './executor.ts';
import { NodeHeartbeat, type NodeIdentity } from './node-heartbeat.ts';
import { PeerSignals } from './peers.ts';
import { relaunchFailed } from './relaunch.ts';
import { createRun, endRun, startDueRuns, startRun } from './runs.ts';
import { fireDueTriggers } from './scheduler.ts';
import { recoverOrphans, sweep } from './sweeper.ts';
import { storeTargets } from './targets.ts';
import { createTask, deleteTask, updateTask } from './tasks.ts';

export interface EngineDeps {
  store: Store;
  modules: ModuleRegistry;
  services: ModuleServices;
  clock: Clock;
  targets?: TargetResolver;
  options: Partial<EngineOptions> & Pick<EngineOptions, 'defaultTz'>;
  /** This process as the nodes table shows it; the composition root passes the real one. */
  node?: NodeIdentity;
  /** Default: warnings as process warnings, the rest unsaid. */
  log?: EngineLog;
}

const ANONYMOUS_NODE: NodeIdentity = { hostname: 'unknown', pid: process.pid, version: 'unknown' };
const WARNINGS_ONLY: EngineLog = { warn: (message) => process.emitWarning(message), info: () => {} };
/** First wait after a failed pass; it doubles per failure up to maxSleepMs. */
const RETRY_FIRST_MS = 100;

/**
 * The engine: turns task firings into runs and drives every jobstate to an end. One loop
 * does it all in passes (fire due triggers → start runs → advance waiting jobstates →
 * sweep timeouts and lost leases → feed the executor), then sleeps until the next thing
 * is due, capped, or until something wakes it. Tests call `tick` with a fake clock
 * instead of starting the loop.
 */
export class Engine {
  readonly ctx: EngineContext;
  /** The agent protocol's side of the engine: claims, events, reconciliation, wakes. */
  readonly agents: AgentDispatch;
  private readonly executor: Executor;
  private readonly heartbeat: NodeHeartbeat;
  /** Wakes between nodes, where the store can signal them. */
  private readonly peers: PeerSignals | null;
  private unlistenPeers: () => void = () => {};
  private readonly listeners = new Set<EngineListener>();
  private sleeper = new AbortController();
  private loop: Promise<void> | null = null;
  private stopping = false;

  constructor(deps: EngineDeps) {
    const options: EngineOptions = { nodeId: newId(), ...DEFAULT_ENGINE_OPTIONS, ...deps.options };
    this.ctx = {
      store: deps.store,
      modules: deps.modules,
      services: deps.services,
      targets: deps.targets ?? storeTargets,
      clock: deps.clock,
      options,
      log: deps.log ?? WARNINGS_ONLY,
      notify: (event) => {
        for (const listener of this.listeners) listener(event);
        this.peers?.observe(event);
        this.wake();
      },
      wake: () => this.wake(),
      abortLocal: (ids) => this.executor.abort(ids),
    };
    this.executor = new Executor(this.ctx);
    this.agents = new AgentDispatch(this.ctx);
    this.heartbeat = new NodeHeartbeat(this.ctx, deps.node ?? ANONYMOUS_NODE);
    this.peers = deps.store.signals ? new PeerSignals(deps.store.signals, options.nodeId) : null;
  }

  /** Chunks running on this node right now. */
  get busy(): number {
    return this.executor.busy;
  }

  get nodeId(): string {
    return this.ctx.options.nodeId;
  }

  on(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Recovers what a previous process left running, records this node, listens to the
   * other nodes' wakes, then starts the loop. On a store no other node shares, every
   * running server jobstate is an orphan: its lease need not run out.
   */
  async start(): Promise<void> {
    if (this.loop) return;
    const { store, clock } = this.ctx;
    await recoverOrphans(this.ctx, store.capabilities.multiNode ? clock.now() : Number.MAX_SAFE_INTEGER);
    await this.heartbeat.start();
    this.unlistenPeers = this.peers?.listen(() => this.wake()) ?? (() => {});
    this.stopping = false;
    this.loop = this.runLoop();
  }

  /** Stops the loop; running chunks get `graceMs` to checkpoint or finish. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.unlistenPeers();
    this.peers?.close();
    this.wake();
    const wasRunning = this.loop !== null;
    await this.loop;
    this.loop = null;
    await this.executor.stop(graceMs);
    if (wasRunning) await this.heartbeat.stop();
  }

  /** One pass over everything that may be due; returns how many things changed. */
  async tick(): Promise<number> {
    let changed = 0;
    // Leases first: after a long pause (a stalled event loop, a suspended VM) our own
    // running chunks must not look like a dead node's to the sweeper below.
    await this.executor.heartbeat();
    while ((await fireDueTriggers(this.ctx)) > 0) changed++;
    changed += await startDueRuns(this.ctx);
    for (let moved = await advanceWaiting(this.ctx); moved > 0; moved = await advanceWaiting(this.ctx))
      changed += moved;
    changed += await sweep(this.ctx);
    if (!this.stopping) changed += await this.executor.pump();
    return changed;
  }

  createTask(orgId: string, def: TaskDef, actor: string | null): Promise<Task> {
    return createTask(this.ctx, orgId, def, actor);
  }

  /** Replaces the task's definition; `changed` false (and no history entry) when identical. */
  updateTask(id: string, def: TaskDef, actor: string | null): Promise<{ task: Task; changed: boolean }> {
    return updateTask(this.ctx, id, () => def, actor);
  }

  async setTaskEnabled(id: string, enabled: boolean, actor: string | null): Promise<Task> {
    const action = enabled ? 'enable' : 'disable';
    return (await updateTask(this.ctx, id, (t) => ({ ...t, enabled }), actor, action)).task;
  }

  deleteTask(id: string, actor: string | null): Promise<void> {
    return deleteTask(this.ctx, id, actor);
  }

  /** A run now, on demand (rPath's ScheduleNow); subject to the task's concurrency policy. */
  async runNow(taskId: string, actor: string | null): Promise<Run> {
    const run = await withTx(this.ctx, async (tx, emit) => {
      const task = await tx.tasks.get(taskId);
      if (!task) throw notFound('task', taskId);
      const now = this.ctx.clock.now();
      const key = newId();
      return createRun(this.ctx, tx, emit, task, {
        reason: 'manual',
        fireAt: now,
        startAt: now,
        fireKey: key,
        createdBy: actor,
      });
    });
    if (!run) throw new TaskwardenError('conflict', 'run could not be created');
    // This run only: the loop starts the others, and every API call scanning them all would make them contend.
    await startRun(this.ctx, run.id, this.ctx.clock.now());
    return (await this.ctx.store.runs.get(run.id)) ?? run;
  }

  /** A manual run of the same task limited to the (job, target) pairs that errored in `runId`. */
  relaunchFailed(runId: string, actor: string | null): Promise<Run> {
    return relaunchFailed(this.ctx, runId, actor);
  }

  async cancelRun(runId: string): Promise<Run> {
    const ended: string[] = [];
    await withTx(this.ctx, async (tx, emit) => {
      const run = await tx.runs.get(runId);
      if (!run) throw notFound('run', runId);
      if (!(await endRun(ended, tx, emit, run, 'cancelled', 'cancelled_by_user', this.ctx.clock.now()))) {
        throw new TaskwardenError('conflict', `run ${runId} is already ${run.status}`);
      }
    });
    this.executor.abort(ended);
    const run = await this.ctx.store.runs.get(runId);
    if (!run) throw notFound('run', runId);
    return run;
  }

  /** Resolves with the run once it ended, or as it is after `timeoutMs` (real time). */
  async waitForRun(runId: string, timeoutMs: number): Promise<Run> {
    const ended = (r: Run | null) => r !== null && TERMINAL_RUN_STATUSES.includes(r.status);
    let run = await this.ctx.store.runs.get(runId);
    if (!run) throw notFound('run', runId);
    if (ended(run) || timeoutMs <= 0) return run;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const off = this.on((e) => {
        if (e.type === 'run' && e.run.id === runId && ended(e.run)) done();
      });
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
    run = await this.ctx.store.runs.get(runId);
    if (!run) throw notFound('run', runId);
    return run;
  }

  private wake(): void {
    this.sleeper.abort();
  }

  /**
   * Passes until stopped. A failed pass (the database is away) is retried after a wait
   * that doubles up to maxSleepMs; the outage is reported once when it starts and once
   * when a pass succeeds again, not at every pass.
   */
  private async runLoop(): Promise<void> {
    const { clock, log, options } = this.ctx;
    let failures = 0;
    let failingSince = 0;
    while (!this.stopping) {
      this.sleeper = new AbortController();
      let sleepMs: number;
      try {
        await this.heartbeat.beat();
        await this.tick();
        if (this.stopping) break;
        sleepMs = await this.untilNextWork();
        if (failures > 0) {
          log.info(
            `taskwarden engine: passes succeed again after ${failures} failed (${clock.now() - failingSince} ms)`,
          );
          failures = 0;
        }
      } catch (err) {
        if (this.stopping) break;
        if (failures === 0) {
          failingSince = clock.now();
          const why = err instanceof Error ? err.message : String(err);
          log.warn(`taskwarden engine pass failed: ${why}; retrying until the store answers again`);
        }
        failures++;
        sleepMs = Math.min(options.maxSleepMs, RETRY_FIRST_MS * 2 ** Math.min(failures - 1, 20));
      }
      await clock.sleep(sleepMs, this.sleeper.signal);
    }
  }

  /** How long the loop may sleep: until the next firing or jobstate wake-up, capped at maxSleepMs. */
  private async untilNextWork(): Promise<number> {
    const { clock, store, options } = this.ctx;
    const now = clock.now();
    const candidates = [
      await store.triggers.nextFireAt(),
      await store.jobstates.nextWakeAt(),
      now + options.maxSleepMs,
    ];
    const wakeAt = Math.min(...candidates.filter((t): t is number => t !== null));
    return Math.max(0, wakeAt - now);
  }
}
