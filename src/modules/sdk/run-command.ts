/**
 * What both halves of the `command` module do once they hold a rendered argv: run it with
 * the catalog's timeout, stream its lines, and turn the exit into an outcome. The server
 * half renders the argv itself; an agent receives it rendered, in the job's payload.
 */
import { type Clock, type PausedSince, sleepRunning } from '../../core/clock.ts';
import { formatDuration } from '../../core/duration.ts';
import type { JobstateReason, LogStream } from '../../core/model.ts';
import { maskSecrets, SECRET_MASK } from '../../core/param-delivery.ts';
import type { JobProcesses } from '../../core/ports/processes.ts';
import { type ProcessOutcome, type RunProcessOptions, runProcess } from './run-process.ts';

export interface CommandRun {
  /** Catalog name, for messages. */
  name: string;
  argv: readonly string[];
  /** Variables added to the program's environment (params the catalog passes through env). */
  env?: Readonly<Record<string, string>>;
  /** Written to the program's standard input, then a newline and EOF (a `stdin` param). */
  stdin?: string;
  /** Values never logged as they are: every line this run logs has them replaced by `***`. */
  secrets?: readonly string[];
  /** The catalog command's own timeout. */
  timeoutSeconds: number;
  /** The job's signal: cancellation, the job's timeout, shutdown. */
  signal: AbortSignal;
  clock: Clock;
  /** On an agent (AgentJobContext.pausedSince): the catalog's timeout does not count the time it did not run. */
  pausedSince?: PausedSince | undefined;
  log(line: string, stream?: LogStream): void;
  /** On a server node that tracks processes: records the program around its spawn (ServerJobContext.processes). */
  processes?: JobProcesses | undefined;
}

export interface CommandOutcome {
  ok: boolean;
  reason?: JobstateReason;
  result: { exitCode: number | null; signal: NodeJS.Signals | null; truncated: boolean; error?: string };
}

export async function runCommand(given: CommandRun): Promise<CommandOutcome> {
  const secrets = given.secrets ?? [];
  // Masked before anything is stored, sent or spooled: the server's log sink, the agent's spool.
  const run = { ...given, log: (line: string, stream?: LogStream) => given.log(maskSecrets(line, secrets), stream) };
  run.log(echoLine(run, secrets), 'info');
  const { outcome, timedOut } = await runTracked(run);
  const result = {
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    truncated: outcome.truncated,
    ...(outcome.error ? { error: outcome.error } : {}),
  };
  if (outcome.error) return { ok: false, reason: 'module_failed', result };
  if (timedOut) {
    run.log(`stopped: "${run.name}" ran longer than its timeout of ${formatDuration(run.timeoutSeconds)}`, 'info');
    return { ok: false, reason: 'timeout', result };
  }
  // Cancelled, timed out by the job or shut down: the caller knows which and sets the reason.
  if (outcome.aborted) return { ok: false, result };
  if (outcome.exitCode === 0) return { ok: true, result };
  run.log(outcome.signal ? `killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`, 'info');
  return { ok: false, reason: 'module_failed', result };
}

type Ran = { outcome: ProcessOutcome; timedOut: boolean };

/**
 * With `processes`, the program is recorded before it is spawned (so a crash at any moment
 * leaves a record to find it by) and forgotten once it ended; a program that cannot be
 * recorded is not started.
 */
async function runTracked(run: CommandRun): Promise<Ran> {
  const { processes } = run;
  if (!processes) return runWithTimeout(run);
  let env: Record<string, string>;
  try {
    env = await processes.launching();
  } catch (err) {
    const error = `not started: it could not be recorded (${err instanceof Error ? err.message : String(err)})`;
    run.log(error, 'info');
    return { outcome: { exitCode: null, signal: null, truncated: false, aborted: false, error }, timedOut: false };
  }
  try {
    return await runWithTimeout(run, { env, started: (pid) => processes.started(pid) });
  } finally {
    await processes.ended();
  }
}

/** Runs the program, stopping it when the job is aborted or the catalog's own timeout passes. */
async function runWithTimeout(run: CommandRun, tracking?: RunProcessOptions['tracking']): Promise<Ran> {
  const stop = new AbortController();
  const finished = new AbortController();
  let timedOut = false;
  const onAbort = () => stop.abort();
  run.signal.addEventListener('abort', onAbort, { once: true });
  if (run.signal.aborted) stop.abort();
  void sleepRunning(run.clock, run.timeoutSeconds * 1000, finished.signal, run.pausedSince).then(() => {
    if (finished.signal.aborted) return;
    timedOut = true;
    stop.abort();
  });
  try {
    const outcome = await runProcess({
      argv: run.argv,
      env: run.env,
      stdin: run.stdin,
      signal: stop.signal,
      clock: run.clock,
      onLine: (stream, line) => run.log(line, stream),
      ...(tracking ? { tracking } : {}),
    });
    return { outcome, timedOut };
  } finally {
    finished.abort();
    run.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * What runs, the way a shell user would write it: `$ NAME=value program args <<< input`,
 * with every value that is a secret (whatever its length) shown as `***`.
 */
function echoLine(run: CommandRun, secrets: readonly string[]): string {
  const shown = (value: string) => (secrets.includes(value) ? SECRET_MASK : displayArg(value));
  const env = Object.entries(run.env ?? {}).map(([name, value]) => `${name}=${shown(value)}`);
  const stdin = run.stdin === undefined ? [] : ['<<<', shown(run.stdin)];
  return `$ ${[...env, ...run.argv.map(shown), ...stdin].join(' ')}`;
}

/** Shows an argument the way a shell user would read it, quoting only what needs it. */
function displayArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
