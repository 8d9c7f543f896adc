/** Server half of the `command` module: runs a catalog command on the server, streaming its output. */
import { renderArgv } from '../../core/catalog.ts';
import type { CatalogCommand } from '../../core/ports/store.ts';
import { type ExecuteOutcome, formatDuration, type ServerJobContext, ValidationError } from '../sdk.ts';
import { type ProcessOutcome, runProcess } from './run-process.ts';
import type { CommandParams } from './schema.ts';

/** Commands do not checkpoint: a program cannot be paused and resumed, so it runs to its end. */
export async function executeCommand(ctx: ServerJobContext<CommandParams>): Promise<ExecuteOutcome> {
  const { command: name, args } = ctx.params;
  const command = await ctx.services.commands.resolve(ctx.jobstate.orgId, name);
  if (!command) return refuse(ctx, `command "${name}" is not in the catalog`);
  if (command.runsOn === 'agent') return refuse(ctx, `command "${name}" runs on agents only, not on the server`);
  let argv: string[];
  try {
    argv = renderArgv(command, args, 'args');
  } catch (err) {
    if (err instanceof ValidationError) return refuse(ctx, `command "${name}": ${err.message}`);
    throw err;
  }
  ctx.log(`$ ${argv.map(displayArg).join(' ')}`, 'info');
  const { outcome, timedOut } = await runWithTimeout(ctx, command, argv);
  const result = {
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    truncated: outcome.truncated,
    ...(outcome.error ? { error: outcome.error } : {}),
  };
  if (outcome.error) return { done: true, ok: false, reason: 'module_failed', result };
  if (timedOut) {
    ctx.log(`stopped: "${name}" ran longer than its timeout of ${formatDuration(command.timeoutSeconds)}`, 'info');
    return { done: true, ok: false, reason: 'timeout', result };
  }
  // Cancelled, timed out by the job or shut down: the engine knows which and sets the reason.
  if (outcome.aborted) return { done: true, ok: false, result };
  if (outcome.exitCode === 0) return { done: true, ok: true, result };
  ctx.log(outcome.signal ? `killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`, 'info');
  return { done: true, ok: false, reason: 'module_failed', result };
}

/** Runs the program, stopping it when the job is aborted or the catalog's own timeout passes. */
async function runWithTimeout(
  ctx: ServerJobContext<CommandParams>,
  command: CatalogCommand,
  argv: string[],
): Promise<{ outcome: ProcessOutcome; timedOut: boolean }> {
  const stop = new AbortController();
  const finished = new AbortController();
  let timedOut = false;
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) stop.abort();
  void ctx.clock.sleep(command.timeoutSeconds * 1000, finished.signal).then(() => {
    if (finished.signal.aborted) return;
    timedOut = true;
    stop.abort();
  });
  try {
    const outcome = await runProcess({
      argv,
      signal: stop.signal,
      clock: ctx.clock,
      onLine: (stream, line) => ctx.log(line, stream),
    });
    return { outcome, timedOut };
  } finally {
    finished.abort();
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

function refuse(ctx: ServerJobContext<CommandParams>, message: string): ExecuteOutcome {
  ctx.log(message, 'info');
  return { done: true, ok: false, reason: 'module_failed', result: { exitCode: null, error: message } };
}

/** Shows an argument the way a shell user would read it, quoting only what needs it. */
function displayArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
