import type { Calendar } from '../core/calendar.ts';
import type { Clock } from '../core/clock.ts';
import type { CrashAt } from '../core/crash-points.ts';
import { notFound, TaskwardenError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { type Agent, type Run, type Task, type TaskDef, TERMINAL_RUN_STATUSES } from '../core/model.ts';
import type { ModuleRegistry, ModuleServicesFor } from '../core/ports/module.ts';
import type { Channel, Delivery, Notifier } from '../core/ports/notifications.ts';
import type { LocalProcesses } from '../core/ports/processes.ts';
import type { Store } from '../core/ports/store.ts';
import { advanceWaiting } from './advance.ts';
import { AgentDispatch } from './agents.ts';
import { replanCalendarUsers } from './calendars.ts';
import { CatchUpPacer } from './catch-up.ts';
import { ClockJumps } from './clock-jumps.ts';
import { stopLeftoverPrograms } from './command-processes.ts';
import {
  DEFAULT_ENGINE_OPTIONS,
  type EngineContext,
  type EngineEvent,
  type EngineListener,
  type EngineLog,
  type EngineOptions,
  type TargetResolver,
  withTx,
} from './context.ts';
import { Executor } from './executor.ts';
import { type IdempotencyKey, IdempotencyPruner, launchOnce, type StartedRun } from './idempotency.ts';
import { JoinHint } from './join-hint.ts';
import { closeJoinWindows, joinLate } from './late-join.ts';
import { launchRun, startDueRuns } from './launch.ts';
import { EngineLoop } from './loop.ts';
import { NodeHeartbeat, type NodeIdentity } from './node-heartbeat.ts';
import { DEFAULT_NOTIFY_OPTIONS, DeliveryLoop, type NotifyOptions } from './notify/delivery-loop.ts';
import { PeerSignals } from './peers.ts';
import { relaunchFailed } from './relaunch.ts';
import { type RolloutAction, rolloutAction } from './rollout.ts';
import { endRun } from './runs.ts';
import { fireAllDue } from './scheduler.ts';
import { recoverOrphans, sweep } from './sweeper.ts';
import { storeTargets } from './targets.ts';
import { createTask, createTasks, deleteTask, updateTask } from './tasks.ts';

export interface EngineDeps {
  store: Store;
  modules: ModuleRegistry;
  services: ModuleServicesFor;
  clock: Clock;
  targets?: TargetResolver;
  options: Partial<EngineOptions> & Pick<EngineOptions, 'defaultTz'>;
  /** This process as the nodes table shows it; the composition root passes the real one. */
  node?: NodeIdentity;
  /** Default: warnings as process warnings, the rest unsaid. */
  log?: EngineLog;
  /** Test only (fault tests): where this process kills itself; default nowhere. */
  crashAt?: CrashAt;
  /** This machine's processes: the programs of server commands are tracked with them; default untracked. */
  processes?: LocalProcesses;
  /** Sends notifications (webhook, email); without it run ends are queued but this node sends none. */
  notifier?: Notifier;
  notifyOptions?: Partial<NotifyOptions>;
}

const ANONYMOUS_NODE: NodeIdentity = { hostname: 'unknown', pid: process.pid, version: 'unknown' };
const WARNINGS_ONLY: EngineLog = { warn: (message) => process.emitWarning(message), info: () => {} };

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
  private readonly idempotencyPruner: IdempotencyPruner;
  /** Sends the queued notifications of every node's runs, beside the engine's loop. */
  private readonly deliveries: DeliveryLoop | null;
  /** Wakes between nodes, where the store can signal them. */
  private readonly peers: PeerSignals | null;
  private unlistenPeers: () => void = () => {};
  private readonly listeners = new Set<EngineListener>();
  /** Orgs known to have no open late-join run: their agents' contacts skip looking. */
  private readonly joinHint: JoinHint;
  private readonly loop: EngineLoop;
  /** Notices when this node's clock (the database's, on a shared store) is set. */
  private readonly clockJumps: ClockJumps;
  private started = false;
  private stopping = false;
  /** While a pass fires triggers the executor waits (kickHeld says it was asked): see fire(). */
  private firing = false;
  private kickHeld = false;

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
      catchUp: new CatchUpPacer(options.catchUpPerSecond),
      notify: (event) => {
        for (const listener of this.listeners) listener(event);
        this.peers?.observe(event);
        this.joinHint.observe(event);
        this.react(event);
      },
      wake: () => this.loop.wake(),
      kick: () => this.kick(),
      abortLocal: (ids) => this.executor.abort(ids),
      crashAt: deps.crashAt ?? (() => {}),
      processes: deps.processes ?? null,
      settleClock: () => this.clockJumps.settle(),
      notificationsQueued: () => this.deliveries?.kick(),
    };
    this.clockJumps = new ClockJumps(this.ctx);
    this.executor = new Executor(this.ctx);
    this.loop = new EngineLoop(this.ctx, {
      pass: async (kind) => {
        // Leases before the node's heartbeat: while the database is away, each pass still
        // tries to renew them, and gives up those about to run out (Executor.unrenewed).
        await this.executor.heartbeat();
        await this.heartbeat.beat();
        if (kind === 'full') await this.tick();
        else if (kind === 'fire') await this.fireDue();
      },
      timeoutIn: () => this.executor.nextTimeoutIn(),
      // The node's heartbeat (every leaseMs / 6) comes before the leases' renewal (every third).
      beatIn: () => this.heartbeat.nextBeatIn(),
    });
    this.agents = new AgentDispatch(this.ctx);
    this.joinHint = new JoinHint(deps.clock, deps.store.capabilities.multiNode ? options.maxSleepMs : Infinity);
    this.heartbeat = new NodeHeartbeat(this.ctx, deps.node ?? ANONYMOUS_NODE);
    this.idempotencyPruner = new IdempotencyPruner(this.ctx);
    this.peers = deps.store.signals ? new PeerSignals(deps.store.signals, options.nodeId) : null;
    this.deliveries = deps.notifier
      ? new DeliveryLoop(this.ctx, deps.notifier, { ...DEFAULT_NOTIFY_OPTIONS, ...deps.notifyOptions })
      : null;
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
   * other nodes' wakes, then starts the loop. Programs a dead node process of this machine
   * left running are killed first, so no retry starts beside them. On a store no other
   * node shares, every running server jobstate is an orphan: its lease need not run out.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { store, clock } = this.ctx;
    await stopLeftoverPrograms(this.ctx);
    await recoverOrphans(this.ctx, store.capabilities.multiNode ? clock.now() : Number.MAX_SAFE_INTEGER);
    await this.heartbeat.start();
    this.unlistenPeers =
      this.peers?.listen(
        () => {
          this.joinHint.opened(); // another node's run may have opened a join window
          this.loop.wake();
        },
        () => this.kick(),
      ) ?? (() => {});
    // A wake another node sends before our LISTEN is in place would be lost: claim only once it is.
    await store.signals?.ready();
    this.stopping = false;
    this.loop.start();
    this.deliveries?.start();
  }

  /** Stops the loop; running chunks get `graceMs` to checkpoint or finish. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.unlistenPeers();
    this.peers?.close();
    await this.loop.stop();
    await Promise.all([this.executor.stop(graceMs), this.deliveries?.stop(graceMs)]);
    if (this.started) await this.heartbeat.stop();
    this.started = false;
  }

  /** One pass over everything that may be due; returns how many things changed. */
  async tick(): Promise<number> {
    let changed = 0;
    await this.clockJumps.settle();
    // Leases first: after a long pause (a stalled event loop, a suspended VM) or a clock
    // jump, our own running chunks must not look like a dead node's to the sweeper below.
    await this.executor.heartbeat(this.clockJumps.leasesToRenew());
    changed += await this.executor.endTimedOut();
    if ((await this.fire()) > 0) changed++;
    changed += await startDueRuns(this.ctx);
    for (let moved = await advanceWaiting(this.ctx); moved > 0; moved = await advanceWaiting(this.ctx))
      changed += moved;
    changed += await sweep(this.ctx);
    changed += await closeJoinWindows(this.ctx);
    await this.idempotencyPruner.prune();
    if (!this.stopping) changed += await this.executor.pump();
    return changed;
  }

  /**
   * The loop's light pass (loop.ts): only triggers came due. A clock set meanwhile makes it
   * a full one (tick), its leases renewed in the new time before anything is compared.
   */
  private async fireDue(): Promise<void> {
    await this.clockJumps.settle();
    if (this.clockJumps.unsettled) {
      await this.tick();
      return;
    }
    await this.fire();
  }

  createTask(orgId: string, def: TaskDef, actor: string | null): Promise<Task> {
    return createTask(this.ctx, orgId, def, actor);
  }

  /** Creates all of them or none (a bulk load; engine/tasks.ts createTasks). */
  createTasks(orgId: string, defs: readonly TaskDef[], actor: string | null): Promise<Task[]> {
    return createTasks(this.ctx, orgId, defs, actor);
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
    return (await this.startNow(taskId, actor)).run;
  }

  /** runNow, once per idempotency key: a key already used answers the run it started. */
  startNow(taskId: string, actor: string | null, once?: IdempotencyKey): Promise<StartedRun> {
    return launchOnce(this.ctx, once, async (uow) => {
      const task = await uow.tx.tasks.get(taskId);
      if (!task) throw notFound('task', taskId);
      const { now } = uow;
      const run = await launchRun(this.ctx, uow, task, {
        reason: 'manual',
        fireAt: now,
        startAt: now,
        fireKey: newId(),
        createdBy: actor,
      });
      if (!run) throw new TaskwardenError('record_exists', 'run could not be created');
      return run;
    });
  }

  /** A manual run of the same task limited to the (job, target) pairs that errored in `runId`; once per key. */
  relaunchFailed(runId: string, actor: string | null, once?: IdempotencyKey): Promise<StartedRun> {
    return relaunchFailed(this.ctx, runId, actor, once);
  }

  /** Resumes a run its rollout halted, or promotes a rollout run's next wave (engine/rollout.ts). */
  rolloutAction(runId: string, action: RolloutAction): Promise<Run> {
    return rolloutAction(this.ctx, runId, action);
  }

  async cancelRun(runId: string): Promise<Run> {
    await withTx(this.ctx, async (uow) => {
      const run = await uow.tx.runs.get(runId);
      if (!run) throw notFound('run', runId);
      if (!(await endRun(uow, run, { status: 'cancelled', statusReason: 'cancelled_by_user' }))) {
        throw new TaskwardenError('run_not_cancellable', `run ${runId} is already ${run.status}`);
      }
    });
    this.loop.wake(); // a queued run of its task may start now
    const run = await this.ctx.store.runs.get(runId);
    if (!run) throw notFound('run', runId);
    return run;
  }

  /** Sends a test message to the channel now (no queue, no retry); its delivery as it ended. */
  /** The agent appeared or changed (enrolled, tagged, in contact): it joins the open runs that take it late. */
  joinLate(agent: string | Pick<Agent, 'id' | 'orgId'>): Promise<number> {
    // An agent named by id changed (enrolled, tagged): always read; a contact goes by the hint.
    return joinLate(this.ctx, agent, typeof agent === 'string' ? null : this.joinHint);
  }

  /** A calendar changed: the tasks listing it plan their next firing again. */
  replanCalendarUsers(calendar: Calendar): Promise<number> {
    return replanCalendarUsers(this.ctx, calendar);
  }

  testChannel(channel: Channel): Promise<Delivery> {
    if (!this.deliveries) throw new TaskwardenError('notifications_disabled', 'this server sends no notifications');
    return this.deliveries.sendTest(channel);
  }

  /**
   * Resolves with the run once it ended, or as it is after `timeoutMs` (real time). It
   * listens before it reads: a run that ends while it is read is heard, not waited out.
   */
  async waitForRun(runId: string, timeoutMs: number): Promise<Run> {
    const ended = (r: Run | null) => r !== null && TERMINAL_RUN_STATUSES.includes(r.status);
    // One promise, settled by the run's end or by the timer, whichever comes first.
    let wake = () => {};
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const off = this.on((e) => {
      if (e.type === 'run' && e.run.id === runId && ended(e.run)) wake();
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const run = await this.ctx.store.runs.get(runId);
      if (!run) throw notFound('run', runId);
      if (ended(run) || timeoutMs <= 0) return run;
      timer = setTimeout(wake, timeoutMs);
      await woken;
    } finally {
      off();
      clearTimeout(timer);
    }
    const run = await this.ctx.store.runs.get(runId);
    if (!run) throw notFound('run', runId);
    return run;
  }

  /**
   * Fires the due triggers with the executor held back where the store runs in this
   * process (SQLite): the firing lets the event loop turn (for HTTP), and chunks started in
   * those turns would delay the firings behind them; the jobs it prepared are claimed as
   * soon as it is done. Where writers do not exclude each other (rowLocks: PostgreSQL) the
   * node mostly waits for round trips: each batch's jobs are claimed as soon as it commits,
   * beside the next batch's firing (1,000 due at once: two batches of 500).
   */
  private async fire(): Promise<number> {
    this.firing = !this.ctx.store.capabilities.rowLocks;
    try {
      return await fireAllDue(this.ctx);
    } finally {
      this.firing = false;
      if (this.kickHeld) this.kick();
    }
  }

  /** Lets the executor claim between passes; tests that drive `tick` themselves keep it for the tick. */
  private kick(): void {
    this.kickHeld = this.firing;
    if (this.loop.active && !this.firing) this.executor.kick();
  }

  /**
   * What an announced change asks of this node. A prepared server jobstate goes straight
   * to the executor. The loop is woken only when the change may be due before the loop
   * would wake by itself: a task written (its trigger moved), a run to start, a waiting
   * jobstate's due time, a running one's timeout, a window closing. Ends are not its
   * business (those that free a queued run or a waiting job say so with WAKE_LOOP): a busy
   * node must not pass over every table for each job it runs.
   */
  private react(event: EngineEvent): void {
    const now = this.ctx.clock.now();
    if (event.type === 'task') {
      this.loop.dueAt(now);
      return;
    }
    if (event.type === 'run') {
      if (event.run.status === 'pending') this.loop.dueAt(event.run.startAt);
      return;
    }
    const js = event.jobstate;
    if (js.status === 'waiting' && js.dueAt !== null) this.loop.dueAt(js.dueAt);
    else if (js.status === 'running' && js.runner === 'agent' && js.startedAt !== null) {
      this.loop.dueAt(js.startedAt + js.timeoutSeconds * 1000 + this.ctx.options.agentGraceMs);
    } else if (js.status === 'prepared' && js.runner === 'server') this.kick();
    // Its window closing moves prepared and running work on (closeWindows).
    if (js.windowClosesAt !== null && (js.status === 'prepared' || js.status === 'running')) {
      this.loop.dueAt(js.windowClosesAt);
    }
  }
}
