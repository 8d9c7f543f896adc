import { newId } from '../core/ids.ts';
import type { Jobstate, Run, Task } from '../core/model.ts';
import type { EngineContext } from './context.ts';

/**
 * A run's jobstate for one job and target as it is first written: `waiting`, `run_queued`,
 * attempt 1; the caller decides when it may start (a run starting now, a late joiner).
 * `agentId` null: the server.
 */
export function newJobstate(
  ctx: EngineContext,
  of: { task: Task; run: Run; jobIndex: number; agentId: string | null; now: number },
): Jobstate {
  const { task, run, jobIndex, agentId, now } = of;
  const job = task.jobs[jobIndex] as Task['jobs'][number];
  const onBehalf = ctx.modules.get(job.module)?.agentTargetsRunOn === 'server';
  return {
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
    windowClosesAt: null,
    timeoutSeconds: job.timeoutSeconds,
    preparedAt: null,
    startedAt: null,
    finishedAt: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    checkpoint: null,
    result: null,
    eventSeq: 0,
    elapsedMs: 0,
    progress: null,
    updatedAt: now,
  };
}
