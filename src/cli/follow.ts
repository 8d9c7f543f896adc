import { SingleBar } from 'cli-progress';
import type { TaskwardenClient } from '../client/api.ts';
import { TERMINAL_RUN_STATUSES } from '../core/model.ts';
import type { RunView } from '../protocol/runs.ts';

/**
 * Follows a run until it ends, drawing a progress bar of its jobstates (on a terminal;
 * plain lines otherwise), and returns the ended run.
 */
export async function followRun(client: TaskwardenClient, runId: string, intervalMs = 500): Promise<RunView> {
  const bar = new SingleBar({
    format: 'run {run} [{bar}] {percentage}% | {value}/{total} jobstates | {status}',
    noTTYOutput: true,
    notTTYSchedule: 2000,
    hideCursor: true,
  });
  let run = await client.getRun(runId);
  const total = () => Object.values(run.counts).reduce((a, b) => a + b, 0);
  const done = () => run.counts.finished + run.counts.error + run.counts.cancelled + run.counts.skipped;
  bar.start(total(), done(), { run: run.id, status: run.status });
  while (!isEnded(run)) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    run = await client.getRun(runId);
    bar.setTotal(total());
    bar.update(done(), { status: run.status });
  }
  bar.stop();
  return run;
}

export function isEnded(run: RunView): boolean {
  return TERMINAL_RUN_STATUSES.includes(run.status);
}
