// Runs coming to life: created for a firing or on demand, and started under their task's
// concurrency policy, their jobstates prepared or given their due time.
import { newId } from '../core/ids.ts';
import type { Jobstate, MissedFirings, Run, RunReason, RunStatus, Task } from '../core/model.ts';
import type { StoreSession } from '../core/ports/store.ts';
import { jobDefOf } from '../core/sequencing.ts';
import { AdvanceReads, advanceJobstate, initialState } from './advance.ts';
import { type Emit, type EngineContext, withTx } from './context.ts';
import { openJoinWindow } from './late-join.ts';
import { localStarts } from './local-time.ts';
import { newJobstate } from './new-jobstate.ts';
import { planRollout } from './rollout.ts';
import { endRun } from './runs.ts';

export interface NewRunRequest {
  reason: RunReason;
  fireAt: number;
  startAt: number;
  /** Unique per task: the fire time for firings, so one firing never makes two runs. */
  fireKey: string;
  createdBy?: string | null;
  /** Record the firing without running it (misfire `skip`, forbidden overlap). */
  status?: Extract<RunStatus, 'pending' | 'missed'>;
  /** With status `missed`: the outage's firings it records (fireAt is the first). */
  missed?: MissedFirings;
  /** Keeps only the (job, target) pairs it accepts (a relaunch of failed targets); default all. */
  only?: (job: string, agentId: string | null) => boolean;
}

/** A run just written, with the jobstates written with it. */
interface CreatedRun {
  run: Run;
  jobstates: Jobstate[];
}

/**
 * Creates a run with every jobstate it will ever have (so monitoring shows the whole plan
 * from the start), all `waiting` with no due time until the run starts. Returns null when
 * this firing already has a run. With `startNow` (the caller checked that nothing stands
 * in the way) the run is written `running`, its jobstates as they start (startJobstates).
 */
export async function createRun(
  ctx: EngineContext,
  tx: StoreSession,
  emit: Emit,
  task: Task,
  req: NewRunRequest,
  startNow = false,
): Promise<CreatedRun | null> {
  const now = ctx.clock.now();
  const status = startNow ? 'running' : (req.status ?? 'pending');
  const run: Run = {
    id: newId(),
    orgId: task.orgId,
    taskId: task.id,
    taskVersion: task.version,
    reason: req.reason,
    fireAt: req.fireAt,
    startAt: req.startAt,
    status,
    statusReason: status === 'missed' ? 'misfire' : null,
    createdAt: now,
    startedAt: startNow ? now : null,
    finishedAt: status === 'missed' ? now : null,
    createdBy: req.createdBy ?? null,
    missed: status === 'missed' ? (req.missed ?? { count: 1, lastFireAt: req.fireAt }) : null,
  };
  if (!(await tx.runs.insert({ ...run, fireKey: req.fireKey }))) return null;
  emit({ type: 'run', run });
  if (status === 'missed') return { run, jobstates: [] };
  const jobstates: Jobstate[] = [];
  for (const [jobIndex, job] of task.jobs.entries()) {
    for (const agentId of await ctx.targets.resolve(tx, task.orgId, job.targets)) {
      if (req.only && !req.only(job.name, agentId)) continue;
      jobstates.push(newJobstate(ctx, { task, run, jobIndex, agentId, now }));
    }
  }
  await planRollout(tx, task, run, jobstates);
  if (!startNow) {
    await tx.jobstates.insertMany(jobstates);
    return { run, jobstates };
  }
  return { run: await startJobstates(ctx, tx, emit, task, run, jobstates, now, true), jobstates };
}

/**
 * The task's concurrency policy for a run due now (`runId`; null for one not created yet)
 * against the task's other active runs: allow → start; forbid → skip while one runs;
 * queue → wait while one runs or an older one waits; replace → start, once the running
 * ones are cancelled (their jobstate ids go to `ended`).
 */
async function admit(
  tx: StoreSession,
  emit: Emit,
  ended: string[],
  task: Task,
  runId: string | null,
  now: number,
): Promise<'start' | 'skip' | 'wait'> {
  // `allow` needs no look at the other runs: a task with thousands active must not read them all per start.
  if (task.concurrency === 'allow') return 'start';
  const others = (await tx.runs.listActive(task.id)).filter((r) => r.id !== runId);
  const running = others.filter((r) => r.status === 'running');
  switch (task.concurrency) {
    case 'forbid':
      return running.length > 0 ? 'skip' : 'start';
    case 'queue': {
      const queuedBefore = others.some(
        (r) => r.status === 'pending' && r.startAt <= now && (runId === null || r.id < runId),
      );
      return running.length > 0 || queuedBefore ? 'wait' : 'start';
    }
    case 'replace':
      for (const old of running)
        await endRun(ended, tx, emit, old, 'cancelled', 'replaced', now, 'cancelled', 'replaced');
      return 'start';
  }
}

/**
 * Starts the pending runs whose time has come and that nothing started when they were
 * created (a delayed catch-up, a queued run, a run on a busy node). Returns how many changed.
 */
export async function startDueRuns(ctx: EngineContext): Promise<number> {
  const now = ctx.clock.now();
  let changed = 0;
  for (const pending of await ctx.store.runs.listStartable(now, 200)) {
    if (await startRun(ctx, pending.id, now)) changed++;
  }
  return changed;
}

/** Starts one run in its own transaction if it is still pending and due (startPendingRun); whether it changed. */
export async function startRun(ctx: EngineContext, runId: string, now: number): Promise<boolean> {
  const ended: string[] = [];
  const moved = await withTx(ctx, async (tx, emit) => {
    const run = await tx.runs.get(runId);
    if (run?.status !== 'pending' || run.startAt > now) return false;
    return (await startPendingRun(ctx, tx, emit, ended, run, await tx.tasks.get(run.taskId), now)) !== null;
  });
  ctx.abortLocal(ended);
  return moved;
}

/**
 * Creates a run and, when it is due already, starts it in the same transaction: a firing
 * or a "run now" is prepared for its executors at once, not at the loop's next pass.
 * Returns the run as it is then, or null when this firing already has a run.
 */
export async function launchRun(
  ctx: EngineContext,
  tx: StoreSession,
  emit: Emit,
  ended: string[],
  task: Task,
  req: NewRunRequest,
): Promise<Run | null> {
  const now = ctx.clock.now();
  const due = (req.status ?? 'pending') === 'pending' && req.startAt <= now;
  // The policy is applied once, before the run exists: a run it lets start is written as
  // started. `replace` is left to startPendingRun: it cancels runs, and only once this
  // firing is known to be new.
  const verdict = due && task.concurrency !== 'replace' ? await admit(tx, emit, [], task, null, now) : null;
  const created = await createRun(ctx, tx, emit, task, req, verdict === 'start');
  if (!created) return null;
  const { run, jobstates } = created;
  if (run.status !== 'pending' || !due || verdict === 'wait') return run;
  if (verdict === 'skip')
    return (await endRun(ended, tx, emit, run, 'skipped', 'overlap', now, 'skipped', 'overlap')) ?? run;
  return (await startPendingRun(ctx, tx, emit, ended, run, task, now, jobstates)) ?? run;
}

/**
 * Starts a pending run under its task's concurrency policy (admit): skipped by `forbid`,
 * left pending by `queue`. The jobstate ids of runs it ended go to `ended`, for the caller
 * to stop once the transaction committed. Returns the run as it changed, or null when it
 * did not. `jobstates`: the run's, when the caller holds them.
 */
async function startPendingRun(
  ctx: EngineContext,
  tx: StoreSession,
  emit: Emit,
  ended: string[],
  run: Run,
  task: Task | null,
  now: number,
  jobstates?: Jobstate[],
): Promise<Run | null> {
  if (!task) return endRun(ended, tx, emit, run, 'cancelled', 'task_deleted', now);
  const verdict = await admit(tx, emit, ended, task, run.id, now);
  if (verdict === 'skip') return endRun(ended, tx, emit, run, 'skipped', 'overlap', now, 'skipped', 'overlap');
  if (verdict === 'wait') return null;
  return beginRun(ctx, tx, emit, task, run, now, jobstates);
}

/**
 * Starts a pending run. Returns null, changing nothing, when the run is no longer
 * pending: another transaction (another node, a concurrent runNow) started it between
 * our read and our write, and its jobs may be moving already.
 */
async function beginRun(
  ctx: EngineContext,
  tx: StoreSession,
  emit: Emit,
  task: Task,
  pending: Run,
  now: number,
  known?: Jobstate[],
): Promise<Run | null> {
  if (!(await tx.runs.update(pending.id, { status: 'running', startedAt: now }, ['pending']))) return null;
  const run: Run = { ...pending, status: 'running', startedAt: now };
  const jobstates = known ?? (await tx.jobstates.allOfRun(run.id));
  return startJobstates(ctx, tx, emit, task, run, jobstates, now, false);
}

/**
 * The jobstates of a run that starts now: those with a delay get their due time, the
 * others are advanced at once (prepared, or parked behind their previous job). `insert`:
 * they are not written yet, so those whose start needs no other row are written in their
 * started state (initialState), in one INSERT with the rest, advanced after. Returns the
 * run as it is then (ended `error` when it has no jobstate at all).
 */
async function startJobstates(
  ctx: EngineContext,
  tx: StoreSession,
  emit: Emit,
  task: Task,
  run: Run,
  jobstates: Jobstate[],
  now: number,
  insert: boolean,
): Promise<Run> {
  const waitsForJoiners = await openJoinWindow(tx, task, run, now);
  emit({ type: 'run', run });
  const reads = new AdvanceReads(tx, ctx.options.defaultTz).knowing(task, run.id, jobstates);
  const announced: Jobstate[] = [];
  const toAdvance: Jobstate[] = [];
  // tz "agent": each target's first job waits for the firing's wall time in its zone.
  const local = await localStarts(ctx, tx, task, run, jobstates, now);
  for (const js of jobstates) {
    const delay = jobDefOf(task, js)?.delaySeconds ?? 0;
    const localAt = local.get(js.id);
    const patch =
      localAt !== undefined
        ? { dueAt: localAt, reason: 'local_time' as const }
        : delay > 0
          ? { dueAt: now + delay * 1000, reason: 'delay' as const }
          : insert
            ? await initialState(ctx, tx, emit, js, reads, now)
            : null;
    if (patch === null) {
      toAdvance.push(js);
      continue;
    }
    if (!insert && !(await tx.jobstates.update(js.id, { ...patch, updatedAt: now }, { status: ['waiting'] }))) continue;
    Object.assign(js, patch, { updatedAt: now });
    if (js.status === 'prepared' || js.reason === 'delay' || js.reason === 'local_time') announced.push(js);
  }
  if (insert) await tx.jobstates.insertMany(jobstates);
  for (const js of announced) emit({ type: 'jobstate', jobstate: { ...js } });
  for (const js of toAdvance) await advanceJobstate(ctx, tx, emit, js, reads, now, { dueAt: now });
  if (jobstates.length === 0 && !waitsForJoiners)
    return (await endRun([], tx, emit, run, 'error', 'no_targets', now)) ?? run;
  return run;
}
