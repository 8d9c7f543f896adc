import type { Clock } from '../core/clock.ts';
import type { CrashAt } from '../core/crash-points.ts';
import type { Jobstate, Run, TargetSpec } from '../core/model.ts';
import type { ModuleRegistry, ModuleServicesFor } from '../core/ports/module.ts';
import type { LocalProcesses } from '../core/ports/processes.ts';
import type { Store, StoreSession } from '../core/ports/store.ts';
import type { CatchUpPacer } from './catch-up.ts';
import { queueRunEnds } from './notify/queue.ts';
import { TxReads } from './reads.ts';
import type { BatchedRunEnds } from './runs.ts';

/** Turns a job's targets into concrete ones when a run is created (the seed's prepareRun). */
export interface TargetResolver {
  /** null stands for the server itself. */
  resolve(tx: StoreSession, orgId: string, targets: TargetSpec): Promise<(string | null)[]>;
}

export interface EngineOptions {
  /** Identifies this process in leases. */
  nodeId: string;
  /** Server jobstates executed at once by this node. */
  executorConcurrency: number;
  /** How long a claimed server jobstate stays ours without a heartbeat. */
  leaseMs: number;
  /**
   * How long past an agent job's timeout (counted from its claim, in database time) the
   * server waits for the agent's own report before it gives up on the attempt: the agent
   * enforces the timeout itself, then needs time to stop the job and send its events.
   */
  agentGraceMs: number;
  /** Time budget of one chunk of a chunked server job (its ctx.deadline). */
  chunkMs: number;
  /**
   * Where other nodes write the same store: the longest time between two full passes of
   * the engine loop, so a missed wake-up costs at most this much.
   */
  maxSleepMs: number;
  /**
   * Where this node is the store's only writer (SQLite): the longest time between two full
   * passes (at least maxSleepMs). Every due time is then read or announced by the node
   * itself: the pass is a safety net, and an idle node does no work in between.
   */
  safetyPassMs: number;
  /** A firing later than this is a misfire, handled by the task's misfire policy. */
  misfireThresholdMs: number;
  /** `all` misfire policy: how many missed firings are caught up, and how far apart. */
  catchUpCap: number;
  catchUpSpreadMs: number;
  /** Catch-up runs this node starts per second at most, all tasks together (CatchUpPacer). */
  catchUpPerSecond: number;
  /** Log lines kept per jobstate attempt; the rest is replaced by one marker line. */
  maxLogLinesPerJobstate: number;
  defaultTz: string;
}

export const DEFAULT_ENGINE_OPTIONS: Omit<EngineOptions, 'nodeId' | 'defaultTz'> = {
  executorConcurrency: 4,
  leaseMs: 30_000,
  agentGraceMs: 60_000,
  chunkMs: 10_000,
  maxSleepMs: 5_000,
  safetyPassMs: 60_000,
  misfireThresholdMs: 60_000,
  catchUpCap: 10,
  catchUpSpreadMs: 60_000,
  catchUpPerSecond: 10,
  maxLogLinesPerJobstate: 10_000,
};

export type EngineEvent =
  | { type: 'run'; run: Run }
  | { type: 'jobstate'; jobstate: Jobstate }
  | { type: 'task'; taskId: string; orgId: string; action: 'create' | 'update' | 'delete' };

export type EngineListener = (event: EngineEvent) => void;

/** Where the engine reports what an operator should know (the composition root passes its logger). */
export interface EngineLog {
  warn(message: string): void;
  info(message: string): void;
}

/** What every engine part gets: the ports, the options, and a way to announce changes. */
export interface EngineContext {
  store: Store;
  modules: ModuleRegistry;
  /** The services a job of that org gets: bound to its org, so a module reaches no other org's rows. */
  services: ModuleServicesFor;
  targets: TargetResolver;
  clock: Clock;
  options: EngineOptions;
  log: EngineLog;
  /** Start slots of this node's catch-up runs. */
  catchUp: CatchUpPacer;
  /** Announces a change (after its transaction committed); wakes the loop or the executor when it concerns them. */
  notify(event: EngineEvent): void;
  /** Wakes the loop early: something may be due now. */
  wake(): void;
  /** Lets the executor claim now: a slot freed up (a no-op while the loop is not running). */
  kick(): void;
  /** Stops the chunks this node runs for these jobstates (cancelled, timed out, replaced). */
  abortLocal(jobstateIds: readonly string[]): void;
  /** Test only: the process dies at the crash point a fault test chose; a no-op otherwise. */
  crashAt: CrashAt;
  /** This machine's processes, where server jobs' programs are tracked (command-processes.ts); null: not tracked. */
  processes: LocalProcesses | null;
  /** Resolves once a jump of this node's clock, if there was one, was dealt with (clock-jumps.ts). */
  settleClock(): Promise<void>;
  /** Run ends were queued for notification: this node's delivery loop looks now. */
  notificationsQueued(): void;
}

/** Emitted by a transaction that made rows due without announcing them (woken waiters): the loop must look. */
export const WAKE_LOOP = { type: 'wake' } as const;

export type Emit = (event: EngineEvent | typeof WAKE_LOOP) => void;

/**
 * One transaction of the engine, handed by withTx to every step it takes: the session, the
 * time it acts at (one instant for all its steps), what it announces once it committed
 * (`emit`), the jobstates this node must stop running once it committed (`stop`), and the
 * rows it read already (`reads`).
 */
export interface UnitOfWork {
  readonly tx: StoreSession;
  readonly now: number;
  readonly emit: Emit;
  /** Jobstates this transaction ended: their chunks on this node are stopped after the commit. */
  stop(jobstateIds: readonly string[]): void;
  readonly reads: TxReads;
  /** The same unit of work (its reads included) over another session (a wrapper of this one's, group-commit.ts). */
  over(tx: StoreSession): UnitOfWork;
  /** A group commit's batch (group-commit.ts): what follows its jobstates' ends, done once for them all (runs.ts). */
  readonly batchEnds?: BatchedRunEnds;
}

/**
 * Runs `fn` in one transaction and announces its events only once it committed. A run or
 * jobstate changed in several steps of one transaction (created then started, waiting
 * then prepared) is announced once, as it ended up: to anyone watching it was one change.
 * The runs it ended are queued for notification in the same transaction (every run end
 * passes here), so an event is queued exactly when its run's end commits. `now` defaults
 * to the clock's at the transaction's start.
 */
export async function withTx<T>(ctx: EngineContext, fn: (uow: UnitOfWork) => Promise<T>, now?: number): Promise<T> {
  const events = new Map<string, EngineEvent>();
  const stopped: string[] = [];
  let wake = false;
  let queued = false;
  const emit: Emit = (e) => {
    if (e.type === 'wake') wake = true;
    else {
      const key = eventKey(e);
      events.delete(key); // re-inserted last: events keep the order of their final step
      events.set(key, e);
    }
  };
  const result = await ctx.store.transaction(async (tx) => {
    const at = now ?? ctx.clock.now();
    // One TxReads per transaction, over its own session: what any step read, every step reuses.
    const reads = new TxReads(tx, ctx.options.defaultTz);
    const unit = (session: StoreSession): UnitOfWork => ({
      tx: session,
      now: at,
      emit,
      stop: (ids) => stopped.push(...ids),
      reads,
      over: unit,
    });
    const root = unit(tx);
    const value = await fn(root);
    const runs = [...events.values()].flatMap((e) => (e.type === 'run' ? [e.run] : []));
    queued = await queueRunEnds(ctx, root, runs);
    return value;
  });
  for (const event of events.values()) ctx.notify(event);
  if (wake) ctx.wake();
  if (queued) ctx.notificationsQueued();
  if (stopped.length > 0) ctx.abortLocal(stopped);
  return result;
}

function eventKey(event: EngineEvent): string {
  if (event.type === 'run') return `run:${event.run.id}`;
  if (event.type === 'jobstate') return `jobstate:${event.jobstate.id}`;
  return `task:${event.taskId}:${event.action}`;
}
