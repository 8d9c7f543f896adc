import { notFound, TaskwardenError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { TERMINAL_RUN_STATUSES } from '../core/model.ts';
import type { EngineContext } from './context.ts';
import { type IdempotencyKey, launchOnce, type StartedRun } from './idempotency.ts';
import { launchRun } from './launch.ts';

/**
 * "Relaunch failed targets only": a manual run of the run's task holding only the
 * (job, target) pairs that ended in error, so the targets that succeeded are not redone.
 * The pairs are matched by job name and agent against the task as it is now, so a job
 * renamed or a target no longer aimed at since is left out rather than guessed.
 */
export async function relaunchFailed(
  ctx: EngineContext,
  runId: string,
  actor: string | null,
  once?: IdempotencyKey,
): Promise<StartedRun> {
  const started = await launchOnce(ctx, once, async (uow) => {
    const { tx, now } = uow;
    const source = await tx.runs.get(runId);
    if (!source) throw notFound('run', runId);
    if (!TERMINAL_RUN_STATUSES.includes(source.status)) {
      throw new TaskwardenError('run_not_ended', `run ${runId} is still ${source.status}: relaunch it once it ended`);
    }
    const task = await tx.tasks.get(source.taskId);
    if (!task) throw notFound('task', source.taskId);
    const failed = new Set(
      (await tx.jobstates.allOfRun(runId))
        .filter((js) => js.status === 'error')
        .map((js) => pairKey(js.job, js.agentId)),
    );
    if (failed.size === 0)
      throw new TaskwardenError('run_nothing_to_relaunch', `run ${runId} has no failed target to relaunch`);
    const run = await launchRun(ctx, uow, task, {
      reason: 'manual',
      fireAt: now,
      startAt: now,
      fireKey: newId(),
      createdBy: actor,
      only: (job, agentId) => failed.has(pairKey(job, agentId)),
    });
    if (!run) throw new TaskwardenError('record_exists', 'run could not be created');
    return run;
  });
  return { ...started, run: (await ctx.store.runs.get(started.run.id)) ?? started.run };
}

const pairKey = (job: string, agentId: string | null) => JSON.stringify([job, agentId]);
