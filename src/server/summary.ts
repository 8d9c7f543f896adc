import { isGlobalOrg } from '../core/global-tasks.ts';
import { type Jobstate, RUN_STATUSES, type Run, type Task } from '../core/model.ts';
import type { ModuleRegistry } from '../core/ports/module.ts';
import type { Store } from '../core/ports/store.ts';
import { jobstateReasonWords, reasonWords } from '../core/reason-words.ts';
import { summarizeOutcomes } from '../modules/sdk/index.ts';
import type { SummaryLine } from '../protocol/summary.ts';
import { emptyCounts, isoOrNull, loadRunView, shownReasons } from './views.ts';

/**
 * The monitoring line of a task (seed 001): the counts and completion of the run it is
 * about, each module's details over that run's jobstates (the module's `summarize`, or
 * plain ok/failed counts), the next firing. That run is the one in progress, else the
 * latest one that was not skipped: a firing skipped meanwhile (overlap) is a note on the
 * line, it never hides the run that made it skip. Status: that run's while it is pending
 * or running, else "disabled" for a disabled task, else that run's, else "idle".
 */
export async function summaryLine(
  store: Store,
  modules: ModuleRegistry,
  task: Task,
  now: number,
): Promise<SummaryLine> {
  const [latest, trigger] = await Promise.all([store.runs.latest(task.id), store.triggers.get(task.id)]);
  const run = await runOfLine(store, task.id, latest);
  const lastRun = run && (await loadRunView(store, run));
  const jobstates = run ? await store.jobstates.allOfRun(run.id) : [];
  const moduleNames = [...new Set(task.jobs.map((job) => job.module))];
  const details = moduleNames.map((name) => {
    const module = modules.get(name);
    const summary = (module?.summarize ?? summarizeOutcomes)(jobstates.filter((js) => js.module === name));
    return { name, icon: module?.icon ?? '•', details: summary.details, lines: summary.lines ?? [] };
  });
  const active = run !== null && (run.status === 'pending' || run.status === 'running');
  const status = active || task.enabled ? (run?.status ?? 'idle') : 'disabled';
  const skipped = latest?.status === 'skipped' && latest.id !== run?.id ? latest : null;
  const waitingLocalTime = jobstates.filter((js) => js.status === 'waiting' && js.reason === 'local_time').length;
  const localWait = waitingLocalTime > 0 ? ` · ${waitingLocalTime} waiting for local time` : '';
  return {
    taskId: task.id,
    ...(isGlobalOrg(task.orgId) ? { global: true as const } : {}),
    task: task.name,
    modules: details,
    status,
    completion: lastRun?.completion ?? null,
    details: run ? `${joinDetails(details)}${localWait}` : '',
    counts: lastRun?.counts ?? emptyCounts(),
    lastRun,
    ...(lastRun?.rollout ? { rollout: lastRun.rollout } : {}),
    nextFireAt: task.enabled ? isoOrNull(trigger?.nextFireAt ?? null) : null,
    skipped: skipped && {
      runId: skipped.id,
      fireAt: new Date(skipped.fireAt).toISOString(),
      reason: skipped.statusReason,
      reasonText: reasonWords(skipped.statusReason),
    },
    waiting: active ? await waitingNote(store, jobstates, now) : null,
    waitingLocalTime,
  };
}

/** The run a line is about: the one running (else pending), else the latest not skipped. */
async function runOfLine(store: Store, taskId: string, latest: Run | null): Promise<Run | null> {
  if (latest === null || latest.status !== 'skipped') return latest;
  const active = await store.runs.listActive(taskId);
  const inProgress = active.find((r) => r.status === 'running') ?? active[0];
  if (inProgress) return inProgress;
  const notSkipped = RUN_STATUSES.filter((s) => s !== 'skipped');
  const page = await store.runs.list({ taskId, status: notSkipped }, { limit: 1 });
  return page.items[0] ?? null;
}

/** While none of the run's jobstates runs: the first that waits, and why (agents read for prepared ones). */
async function waitingNote(store: Store, jobstates: Jobstate[], now: number): Promise<SummaryLine['waiting']> {
  if (jobstates.some((js) => js.status === 'running')) return null;
  const open = jobstates
    .filter((js) => js.status === 'waiting' || js.status === 'prepared')
    .sort((a, b) => a.jobIndex - b.jobIndex);
  const first = open[0];
  if (!first) return null;
  const [reason = null] = await shownReasons(store, [first], now);
  return {
    status: first.status as 'waiting' | 'prepared',
    reason,
    reasonText: jobstateReasonWords(reason, first),
    dueAt: first.status === 'waiting' ? isoOrNull(first.dueAt) : null,
    count: open.length,
  };
}

/** One module: its details as they are; several: each prefixed with its module's name. */
function joinDetails(modules: { name: string; details: string }[]): string {
  if (modules.length === 1) return modules[0]?.details ?? '';
  return modules.map((m) => `${m.name}: ${m.details}`).join(' · ');
}
