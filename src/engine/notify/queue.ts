// Run ends into the notification queue, in the transaction that ended the run: a run ends
// once (its status update is fenced), so each channel gets its event exactly once, on
// whichever node ended it. Sending is the delivery loop's (delivery-loop.ts), never this
// transaction's: a slow receiver cannot hold the engine.
import { JOBSTATE_STATUSES, type Jobstate, type NotifyOn, type Run, type Task } from '../../core/model.ts';
import {
  channelsToNotify,
  type FailedTarget,
  MAX_FAILED,
  NOTIFIED_RUN_STATUSES,
  type RunEvent,
  runEndKind,
  runEventSummary,
} from '../../core/notify.ts';
import type { Channel } from '../../core/ports/notifications.ts';
import type { JobstateCounts, StoreSession } from '../../core/ports/store.ts';
import { runProgress } from '../../core/sequencing.ts';
import type { EngineContext, UnitOfWork } from '../context.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Queues the events of the runs this transaction ended, for the channels their task's
 * rules (else the org's default rules) name. Returns whether it queued any. Costs one task
 * read per ended run when no rule applies.
 */
export async function queueRunEnds(ctx: EngineContext, uow: UnitOfWork, runs: readonly Run[]): Promise<boolean> {
  const { tx, reads } = uow;
  let queued = false;
  for (const run of runs) {
    if (!NOTIFIED_RUN_STATUSES.includes(run.status)) continue;
    const task = await reads.task(run.taskId);
    const rules = task && (task.notify ?? (await reads.orgSettings(run.orgId))?.notify);
    if (!task || !rules || rules.length === 0) continue;
    const jobstates = await tx.jobstates.allOfRun(run.id);
    const kind = runEndKind(
      run,
      jobstates.filter((js) => js.status === 'error').map((js) => js.reason),
    );
    if (kind === null) continue;
    // Only a `changed` rule needs the previous outcome; no previous run counts as a change.
    const changed =
      !rules.some((rule) => rule.when === 'changed') ||
      (await tx.deliveries.previousOutcome(task.id, run)) !== run.status;
    const channels = await resolveChannels(ctx, tx, run, channelsToNotify(rules, kind, changed));
    if (channels.length === 0) continue;
    const event = await runEvent(ctx, tx, { task, run, jobstates, kind });
    const at = ctx.clock.now();
    await tx.deliveries.enqueue(channels.map((c) => ({ channelId: c.id, runId: run.id, orgId: run.orgId, event, at })));
    queued = true;
  }
  return queued;
}

/** The channels of those names the run's org may use; a name gone since the task was saved is reported and skipped. */
async function resolveChannels(ctx: EngineContext, tx: StoreSession, run: Run, names: string[]): Promise<Channel[]> {
  const channels: Channel[] = [];
  for (const name of names) {
    const channel = await tx.channels.resolve(run.orgId, name);
    if (channel) channels.push(channel);
    else ctx.log.warn(`run ${run.id}: no channel named "${name}" to notify (deleted since the task was saved?)`);
  }
  return channels;
}

interface RunEnd {
  task: Task;
  run: Run;
  jobstates: Jobstate[];
  kind: NotifyOn;
}

/** What a receiver is told: the run with its counts, the monitoring line, the failed targets and why. */
async function runEvent(ctx: EngineContext, tx: StoreSession, end: RunEnd): Promise<RunEvent> {
  const { task, run, jobstates, kind } = end;
  const counts = Object.fromEntries(JOBSTATE_STATUSES.map((s) => [s, 0])) as JobstateCounts;
  for (const js of jobstates) counts[js.status]++;
  const { completion } = runProgress(counts);
  const errored = jobstates.filter((js) => js.status === 'error');
  return {
    event: `run.${kind}`,
    summary: runEventSummary(task.name, kind, errored.length, jobstates.length),
    task: { id: task.id, name: task.name },
    run: {
      id: run.id,
      status: run.status,
      reason: run.reason,
      statusReason: run.statusReason,
      counts,
      completion,
      fireAt: new Date(run.fireAt).toISOString(),
      startedAt: iso(run.startedAt),
      finishedAt: iso(run.finishedAt),
    },
    line: monitoringLine(ctx, task, run, jobstates, completion),
    failed: await failedTargets(tx, errored.slice(0, MAX_FAILED)),
    failedTotal: errored.length,
  };
}

/** The monitoring page's line (seed 001): icon, task, each module's details, completion, status. */
function monitoringLine(
  ctx: EngineContext,
  task: Task,
  run: Run,
  jobstates: Jobstate[],
  completion: number | null,
): string {
  if (run.status === 'missed') return `${task.name} — ${run.missed?.count ?? 1} firing(s) missed — missed`;
  const modules = [...new Set(jobstates.map((js) => js.module))];
  const details = modules.map((name) => {
    const module = ctx.modules.get(name);
    const own = jobstates.filter((js) => js.module === name);
    const text = module?.summarize?.(own).details ?? plainDetails(own);
    return { icon: module?.icon ?? '•', text: modules.length > 1 ? `${name}: ${text}` : text };
  });
  const icons = details.map((d) => d.icon).join('');
  const done = completion === null ? '' : ` — completion ${completion} %`;
  return `${icons} ${task.name} — ${details.map((d) => d.text).join(' · ')}${done} — ${run.status}`.trim();
}

function plainDetails(jobstates: readonly Jobstate[]): string {
  const ok = jobstates.filter((js) => js.status === 'finished').length;
  const failed = jobstates.filter((js) => js.status === 'error').length;
  return `${ok} ok, ${failed} failed`;
}

async function failedTargets(tx: StoreSession, errored: Jobstate[]): Promise<FailedTarget[]> {
  const names = new Map<string, string>();
  for (const id of new Set(errored.map((js) => js.agentId).filter((id): id is string => id !== null))) {
    names.set(id, (await tx.agents.get(id))?.name ?? id);
  }
  return errored.map((js) => ({
    agent: js.agentId === null ? 'server' : (names.get(js.agentId) ?? js.agentId),
    agentId: js.agentId,
    job: js.job,
    reason: js.reason,
  }));
}
