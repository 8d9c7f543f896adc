import { newId } from '../core/ids.ts';
import type { Jobstate, JobstateReason, Run, RunReason, RunStatus, Task } from '../core/model.ts';
import type { StoreSession } from '../core/ports/store.ts';
import { jobDefOf, runProgress } from '../core/sequencing.ts';
import { type Emit, type EngineContext, withTx } from './context.ts';

export interface NewRunRequest {
  reason: RunReason;
  fireAt: number;
  startAt: number;
  /** Unique per task: the fire time for firings, so one firing never makes two runs. */
  fireKey: string;
  createdBy?: string | null;
  /** Record the firing without running it (misfire `skip`, forbidden overlap). */
  status?: Extract<RunStatus, 'pending' | 'missed'>;
  /** Keeps only the (job, target) pairs it accepts (a relaunch of failed targets); default all. */
  only?: (job: string, agentId: string | null) => boolean;
}

/**
 * Creates a run with every jobstate it will ever have (so monitoring shows the whole plan
 * from the start), all `waiting` with no due time until the run starts. Returns null when
 * this firing already has a run.
 */
export async function createRun(
  ctx: EngineContext,
  tx: StoreSession,
  emit: Emit,
  task: Task,
  req: NewRunRequest,
): Promise<Run | null> {
  const now = ctx.clock.now();
  const status = req.status ?? 'pending';
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
    startedAt: null,
    finishedAt: status === 'missed' ? now : null,
    createdBy: req.createdBy ?? null,
  };
  if (!(await tx.runs.insert({ ...run, fireKey: req.fireKey }))) return null;
  emit({ type: 'run', run });
  if (status === 'missed') return run;
  const jobstates: Jobstate[] = [];
  for (const [jobIndex, job] of task.jobs.entries()) {
    const onBehalf = ctx.modules.get(job.module)?.agentTargetsRunOn === 'server';
    for (const agentId of await ctx.targets.resolve(tx, task.orgId, job.targets)) {
      if (req.only && !req.only(job.name, agentId)) continue;
      jobstates.push({
        id: newId(),
        runId: run.id,
        orgId: task.orgId,
        taskId: task.id,
        jobIndex,
        job: job.name,
        module: job.module,
        agentId,
        runner: agentId === null || onBehalf ? 'server' : 'agent',
        status: 'waiting',
        reason: 'run_queued',
        attempt: 1,
        params: job.params,
        dueAt: null,
        timeoutSeconds: job.timeoutSeconds,
        preparedAt: null,
        startedAt: null,
        finishedAt: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        checkpoint: null,
        result: null,
        eventSeq: 0,
        progress: null,
        updatedAt: now,
      });
    }
  }
  await tx.jobstates.insertMany(jobstates);
  return run;
}

/**
 * Starts the pending runs whose time has come, applying the task's concurrency policy
 * against the runs already running: allow → start; forbid → the newcomer is `skipped`;
 * replace → the running ones are cancelled first; queue → it waits, first in first out.
 * Returns how many runs changed.
 */
export async function startDueRuns(ctx: EngineContext): Promise<number> {
  const now = ctx.clock.now();
  let changed = 0;
  for (const pending of await ctx.store.runs.listStartable(now, 200)) {
    if (await startRun(ctx, pending.id, now)) changed++;
  }
  return changed;
}

/** Starts one run if it is pending and due, under its task's concurrency policy (startDueRuns); whether it changed. */
export async function startRun(ctx: EngineContext, runId: string, now: number): Promise<boolean> {
  const ended: string[] = [];
  const moved = await withTx(ctx, async (tx, emit) => {
    const run = await tx.runs.get(runId);
    const task = run && (await tx.tasks.get(run.taskId));
    if (run?.status !== 'pending' || run.startAt > now) return false;
    if (!task) return endRun(ended, tx, emit, run, 'cancelled', 'task_deleted', now);
    // `allow` needs no look at the other runs: a task with thousands active must not read them all per start.
    if (task.concurrency !== 'allow') {
      const others = (await tx.runs.listActive(task.id)).filter((r) => r.id !== run.id);
      const running = others.filter((r) => r.status === 'running');
      const queuedBefore = others.some((r) => r.status === 'pending' && r.startAt <= now && r.id < run.id);
      switch (task.concurrency) {
        case 'forbid':
          if (running.length > 0) return endRun(ended, tx, emit, run, 'skipped', 'overlap', now, 'skipped', 'overlap');
          break;
        case 'queue':
          if (running.length > 0 || queuedBefore) return false;
          break;
        case 'replace':
          for (const old of running)
            await endRun(ended, tx, emit, old, 'cancelled', 'replaced', now, 'cancelled', 'replaced');
          break;
      }
    }
    return beginRun(tx, emit, task, run, now);
  });
  ctx.abortLocal(ended);
  return moved;
}

/**
 * Starts the run and gives its jobstates their due times. Returns false, changing nothing,
 * when the run is no longer pending: another transaction (another node, a concurrent
 * runNow) started it between our read and our write, and its jobs may be moving already.
 */
async function beginRun(tx: StoreSession, emit: Emit, task: Task, run: Run, now: number): Promise<boolean> {
  if (!(await tx.runs.update(run.id, { status: 'running', startedAt: now }, ['pending']))) return false;
  emit({ type: 'run', run: { ...run, status: 'running', startedAt: now } });
  const jobstates = await tx.jobstates.allOfRun(run.id);
  for (const js of jobstates) {
    const delay = jobDefOf(task, js)?.delaySeconds ?? 0;
    const patch = { dueAt: now + delay * 1000, reason: delay > 0 ? 'delay' : null, updatedAt: now } as const;
    await tx.jobstates.update(js.id, patch, { status: ['waiting'] });
  }
  if (jobstates.length === 0) await endRun([], tx, emit, { ...run, status: 'running' }, 'error', 'no_targets', now);
  return true;
}

/**
 * Ends a run. Its open jobstates end with it (`jobstateStatus`, default cancelled), so no
 * orphan keeps waiting for a run that is over; their ids are added to `ended` so the
 * caller can stop the ones running on this node once the transaction committed.
 */
export async function endRun(
  ended: string[],
  tx: StoreSession,
  emit: Emit,
  run: Run,
  status: Extract<RunStatus, 'finished' | 'error' | 'cancelled' | 'skipped'>,
  statusReason: string | null,
  now: number,
  jobstateStatus: 'cancelled' | 'skipped' = 'cancelled',
  jobstateReason: JobstateReason = 'cancelled_by_user',
): Promise<boolean> {
  if (!(await tx.runs.update(run.id, { status, statusReason, finishedAt: now }, ['pending', 'running']))) return false;
  ended.push(...(await tx.jobstates.endOpenOfRun(run.id, jobstateStatus, jobstateReason, now)));
  emit({ type: 'run', run: { ...run, status, statusReason, finishedAt: now } });
  return true;
}

/** Closes the run when its last jobstate ended: finished if none errored, error otherwise. */
export async function completeRunIfDone(tx: StoreSession, emit: Emit, runId: string, now: number): Promise<void> {
  const run = await tx.runs.get(runId);
  if (run?.status !== 'running') return;
  const { outcome } = runProgress(await tx.jobstates.countsByRun(runId));
  if (!outcome) return;
  await tx.runs.update(runId, { status: outcome, finishedAt: now }, ['running']);
  emit({ type: 'run', run: { ...run, status: outcome, finishedAt: now } });
}
