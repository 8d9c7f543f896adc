// Runs coming to life: created for a firing or on demand, and started under their task's
// concurrency policy, their jobstates prepared or given their due time.
import { newId } from '../core/ids.ts';
import { moveRun } from '../core/lifecycle.ts';
import type { Jobstate, MissedFirings, Run, RunReason, RunStatus, Task } from '../core/model.ts';
import { jobDefOf } from '../core/sequencing.ts';
import { advanceJobstate, initialStates } from './advance.ts';
import { type EngineContext, type UnitOfWork, withTx } from './context.ts';
import { openJoinWindow } from './late-join.ts';
import { localStarts } from './local-time.ts';
import { newJobstate } from './new-jobstate.ts';
import { planRollout } from './rollout.ts';
import { endRun, type RunEnd } from './runs.ts';

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
  uow: UnitOfWork,
  task: Task,
  req: NewRunRequest,
  startNow = false,
): Promise<CreatedRun | null> {
  const { tx, emit, now } = uow;
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
  return { run: await startJobstates(ctx, uow, { task, run, jobstates, insert: true }), jobstates };
}

/** A run skipped by the `forbid` policy, its jobstates with it. */
const OVERLAP: RunEnd = {
  status: 'skipped',
  statusReason: 'overlap',
  jobstateStatus: 'skipped',
  jobstateReason: 'overlap',
};
const REPLACED: RunEnd = { status: 'cancelled', statusReason: 'replaced', jobstateReason: 'replaced' };
const TASK_DELETED: RunEnd = { status: 'cancelled', statusReason: 'task_deleted' };

/**
 * The task's concurrency policy for a run due now (`runId`; null for one not created yet)
 * against the task's other active runs: allow → start; forbid → skip while one runs;
 * queue → wait while one runs or an older one waits; replace → start, once the running
 * ones are cancelled.
 */
async function admit(uow: UnitOfWork, task: Task, runId: string | null): Promise<'start' | 'skip' | 'wait'> {
  const { tx, now } = uow;
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
      for (const old of running) await endRun(uow, old, REPLACED);
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
export function startRun(ctx: EngineContext, runId: string, now: number): Promise<boolean> {
  return withTx(
    ctx,
    async (uow) => {
      const run = await uow.tx.runs.get(runId);
      if (run?.status !== 'pending' || run.startAt > now) return false;
      return (await startPendingRun(ctx, uow, run, await uow.tx.tasks.get(run.taskId))) !== null;
    },
    now,
  );
}

/**
 * Creates a run and, when it is due already, starts it in the same transaction: a firing
 * or a "run now" is prepared for its executors at once, not at the loop's next pass.
 * Returns the run as it is then, or null when this firing already has a run.
 */
export async function launchRun(
  ctx: EngineContext,
  uow: UnitOfWork,
  task: Task,
  req: NewRunRequest,
): Promise<Run | null> {
  const { now } = uow;
  const due = (req.status ?? 'pending') === 'pending' && req.startAt <= now;
  // The policy is applied once, before the run exists: a run it lets start is written as
  // started. `replace` is left to startPendingRun: it cancels runs, and only once this
  // firing is known to be new.
  const verdict = due && task.concurrency !== 'replace' ? await admit(uow, task, null) : null;
  const created = await createRun(ctx, uow, task, req, verdict === 'start');
  if (!created) return null;
  const { run, jobstates } = created;
  if (run.status !== 'pending' || !due || verdict === 'wait') return run;
  if (verdict === 'skip') return (await endRun(uow, run, OVERLAP)) ?? run;
  return (await startPendingRun(ctx, uow, run, task, jobstates)) ?? run;
}

/**
 * Starts a pending run under its task's concurrency policy (admit): skipped by `forbid`,
 * left pending by `queue`. Returns the run as it changed, or null when it did not.
 * `jobstates`: the run's, when the caller holds them.
 */
async function startPendingRun(
  ctx: EngineContext,
  uow: UnitOfWork,
  run: Run,
  task: Task | null,
  jobstates?: Jobstate[],
): Promise<Run | null> {
  if (!task) return endRun(uow, run, TASK_DELETED);
  const verdict = await admit(uow, task, run.id);
  if (verdict === 'skip') return endRun(uow, run, OVERLAP);
  if (verdict === 'wait') return null;
  return beginRun(ctx, uow, { task, run, jobstates });
}

/**
 * Starts a pending run. Returns null, changing nothing, when the run is no longer
 * pending: another transaction (another node, a concurrent runNow) started it between
 * our read and our write, and its jobs may be moving already.
 */
async function beginRun(
  ctx: EngineContext,
  uow: UnitOfWork,
  pending: { task: Task; run: Run; jobstates: Jobstate[] | undefined },
): Promise<Run | null> {
  const { tx, now } = uow;
  const { task } = pending;
  const { patch, guard } = moveRun('running', { startedAt: now }, ['pending']);
  if (!(await tx.runs.update(pending.run.id, patch, guard))) return null;
  const run: Run = { ...pending.run, ...patch };
  const jobstates = pending.jobstates ?? (await tx.jobstates.allOfRun(run.id));
  return startJobstates(ctx, uow, { task, run, jobstates, insert: false });
}

/**
 * The jobstates of a run that starts now: those with a delay get their due time, the
 * others are advanced at once (prepared, or parked behind their previous job). `insert`:
 * they are not written yet, so those whose start needs no other row are written in their
 * started state (initialStates), in one INSERT with the rest, advanced after. Returns the
 * run as it is then (ended `error` when it has no jobstate at all).
 */
async function startJobstates(
  ctx: EngineContext,
  uow: UnitOfWork,
  starting: { task: Task; run: Run; jobstates: Jobstate[]; insert: boolean },
): Promise<Run> {
  const { tx, emit, now } = uow;
  const { task, run, jobstates, insert } = starting;
  const waitsForJoiners = await openJoinWindow(tx, task, run, now);
  emit({ type: 'run', run });
  uow.reads.knowing(task, run.id, jobstates);
  const announced: Jobstate[] = [];
  const toAdvance: Jobstate[] = [];
  // tz "agent": each target's first job waits for the firing's wall time in its zone.
  const local = await localStarts(ctx, tx, { task, run, jobstates, now });
  const initialState = initialStates(ctx, uow, task);
  for (const js of jobstates) {
    const delay = jobDefOf(task, js)?.delaySeconds ?? 0;
    const localAt = local.get(js.id);
    const patch =
      localAt !== undefined
        ? { dueAt: localAt, reason: 'local_time' as const }
        : delay > 0
          ? { dueAt: now + delay * 1000, reason: 'delay' as const }
          : insert
            ? await initialState(js)
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
  for (const js of toAdvance) await advanceJobstate(ctx, uow, js, { dueAt: now });
  if (jobstates.length === 0 && !waitsForJoiners)
    return (await endRun(uow, run, { status: 'error', statusReason: 'no_targets' })) ?? run;
  return run;
}
