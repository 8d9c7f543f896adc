import { SingleBar } from 'cli-progress';
import type { TaskwardenClient } from '../client/api.ts';
import { TERMINAL_RUN_STATUSES } from '../core/model.ts';
import type { RunView } from '../protocol/runs.ts';

/** How a follower shows progress: `update` on every poll, `stop` once the run ended. */
interface Progress {
  update(run: RunView, done: number, total: number): void;
  stop(): void;
}

const jobstatesOf = (run: RunView) => Object.values(run.counts).reduce((a, b) => a + b, 0);
const doneOf = (run: RunView) => run.counts.finished + run.counts.error + run.counts.cancelled + run.counts.skipped;

/**
 * Follows a run until it ends, drawing a progress bar of its jobstates on a terminal, or
 * (piped, in a log) one plain line each time the progress changes, and returns the ended run.
 * Progress goes to stderr, so stdout keeps only the result (`--json` stays parseable).
 */
export async function followRun(
  client: TaskwardenClient,
  runId: string,
  intervalMs = 500,
  out: NodeJS.WriteStream = process.stderr,
): Promise<RunView> {
  let run = await client.getRun(runId);
  const progress = out.isTTY ? progressBar(run, out) : progressLines(out);
  progress.update(run, doneOf(run), jobstatesOf(run));
  while (!isEnded(run)) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    run = await client.getRun(runId);
    progress.update(run, doneOf(run), jobstatesOf(run));
  }
  progress.stop();
  return run;
}

function progressBar(run: RunView, out: NodeJS.WriteStream): Progress {
  const bar = new SingleBar({
    format: 'run {run} [{bar}] {percentage}% | {value}/{total} jobstates | {status}',
    hideCursor: true,
    stream: out,
  });
  bar.start(jobstatesOf(run), doneOf(run), { run: run.id, status: run.status });
  return {
    update(next, done, total) {
      bar.setTotal(total);
      bar.update(done, { status: next.status });
    },
    stop: () => bar.stop(),
  };
}

/** A log gets a line per change, never the same line again (a bar's redraws would repeat it). */
function progressLines(out: NodeJS.WriteStream): Progress {
  let last = '';
  return {
    update(run, done, total) {
      const line = `run ${run.id} ${done}/${total} jobstates | ${run.status}`;
      if (line !== last) out.write(`${line}\n`);
      last = line;
    },
    stop() {},
  };
}

export function isEnded(run: RunView): boolean {
  return TERMINAL_RUN_STATUSES.includes(run.status);
}
