import type { Task } from '../core/model.ts';
import type { ModuleRegistry } from '../core/ports/module.ts';
import type { Store } from '../core/ports/store.ts';
import { summarizeOutcomes } from '../modules/sdk.ts';
import type { SummaryLine } from '../protocol/summary.ts';
import { emptyCounts, isoOrNull, loadRunView } from './views.ts';

/**
 * The monitoring line of a task (seed 001): its latest run's counts and completion, each
 * module's details over that run's jobstates (the module's `summarize`, or plain ok/failed
 * counts), the next firing. Status: the latest run's while it is pending or running, else
 * "disabled" for a disabled task, else the latest run's, else "idle" (never ran).
 */
export async function summaryLine(store: Store, modules: ModuleRegistry, task: Task): Promise<SummaryLine> {
  const [run, trigger] = await Promise.all([store.runs.latest(task.id), store.triggers.get(task.id)]);
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
  const waitingLocalTime = jobstates.filter((js) => js.status === 'waiting' && js.reason === 'local_time').length;
  const localWait = waitingLocalTime > 0 ? ` · ${waitingLocalTime} waiting for local time` : '';
  return {
    taskId: task.id,
    task: task.name,
    modules: details,
    status,
    completion: lastRun?.completion ?? null,
    details: run ? `${joinDetails(details)}${localWait}` : '',
    counts: lastRun?.counts ?? emptyCounts(),
    lastRun,
    nextFireAt: task.enabled ? isoOrNull(trigger?.nextFireAt ?? null) : null,
    waitingLocalTime,
  };
}

/** One module: its details as they are; several: each prefixed with its module's name. */
function joinDetails(modules: { name: string; details: string }[]): string {
  if (modules.length === 1) return modules[0]?.details ?? '';
  return modules.map((m) => `${m.name}: ${m.details}`).join(' · ');
}
