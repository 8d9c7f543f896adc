import type { Clock } from '../core/clock.ts';
import { notFound, TaskwardenError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { type Run, type Task, type TaskDef, TERMINAL_RUN_STATUSES } from '../core/model.ts';
import type { ModuleRegistry, ModuleServices } from '../core/ports/module.ts';
import type { Store } from '../core/ports/store.ts';
import { advanceWaiting } from './advance.ts';
import {
  DEFAULT_ENGINE_OPTIONS,
  type EngineContext,
  type EngineListener,
  type EngineOptions,
  serverOnlyTargets,
  type TargetResolver,
  withTx,
} from './context.ts';
import { Executor } from './executor.ts';
import { createRun, endRun, startDueRuns } from './runs.ts';
import { fireDueTriggers } from './scheduler.ts';
import { recoverOrphans, sweep } from './sweeper.ts';
import { createTask, deleteTask, updateTask } from './tasks.ts';

export interface EngineDeps {
  store: Store;
  modules: ModuleRegistry;
  services: ModuleServices;
  clock: Clock;
  targets?: TargetResolver;
  options: Partial<EngineOptions> & Pick<EngineOptions, 'defaultTz'>;
}

/**
 * The engine: turns task firings into runs and drives every jobstate to an end. One loop
 * does it all in passes (fire due triggers → start runs → advance waiting jobstates →
 * sweep timeouts and lost leases → feed the executor), then sleeps until the next thing
 * is due, capped, or until something wakes it. Tests call `tick` with a fake clock
 * instead of starting the loop.
 */
export class Engine {
  readonly ctx: EngineContext;
  private readonly executor: Executor;
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
      targets: deps.targets ?? serverOnlyTargets,
      clock: deps.clock,
      options,
      notify: (event) => {
        for (const listener of this.listeners) listener(event);
        this.wake();
      },
      wake: () => this.wake(),
      abortLocal: (ids) => this.executor.abort(ids),
    };
    this.executor = new Executor(this.ctx);
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
   * Recovers what a previous process left running, then starts the loop. On a store no
   * other node shares, every running server jobstate is an orphan: its lease need not run out.
   */
  async start(): Promise<void> {
    if (this.loop) return;
    const { store, clock } = this.ctx;
    await recoverOrphans(this.ctx, store.capabilities.multiNode ? clock.now() : Number.MAX_SAFE_INTEGER);
    this.stopping = false;
    this.loop = this.runLoop();
  }

  /** Stops the loop; running chunks get `graceMs` to checkpoint or finish. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    this.loop = null;
    await this.executor.stop(graceMs);
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
    await startDueRuns(this.ctx);
    return (await this.ctx.store.runs.get(run.id)) ?? run;
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

  private async runLoop(): Promise<void> {
    const { clock, store, options } = this.ctx;
    while (!this.stopping) {
      this.sleeper = new AbortController();
      try {
        await this.tick();
      } catch (err) {
        // The loop must survive a bad pass (a database hiccup); the next pass retries.
        process.emitWarning(`taskwarden engine pass failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (this.stopping) break;
      const now = clock.now();
      const candidates = [
        await store.triggers.nextFireAt(),
        await store.jobstates.nextWakeAt(),
        now + options.maxSleepMs,
      ];
      const wakeAt = Math.min(...candidates.filter((t): t is number => t !== null));
      await clock.sleep(Math.max(0, wakeAt - now), this.sleeper.signal);
    }
  }
}
