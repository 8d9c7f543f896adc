/**
 * Server half of the `command` module: runs a catalog command on the server, streaming its
 * output. The server's own machine runs only what the global admin defined (issue 12): the
 * command comes from `resolveForServer`, which an org's own entry of the same name never
 * shadows, and is checked once more here, where it runs.
 */
import {
  type ExecuteOutcome,
  type Invocation,
  mayRunOnServer,
  renderInvocation,
  runCommand,
  type ServerJobContext,
  ValidationError,
} from '../sdk/index.ts';
import type { CommandParams } from './schema.ts';

/** Commands do not checkpoint: a program cannot be paused and resumed, so it runs to its end. */
export async function executeCommand(ctx: ServerJobContext<CommandParams>): Promise<ExecuteOutcome> {
  const { command: name, args } = ctx.params;
  const command = await ctx.services.commands.resolveForServer(name);
  if (!command || !mayRunOnServer(command)) {
    return refuse(
      ctx,
      `command "${name}" is not a server command of the global admin: ` +
        'only commands the global admin defined run on the server',
    );
  }
  let invocation: Invocation;
  try {
    invocation = renderInvocation(command, args, 'args');
  } catch (err) {
    if (err instanceof ValidationError) return refuse(ctx, `command "${name}": ${err.message}`);
    throw err;
  }
  const outcome = await runCommand({
    name,
    ...invocation,
    timeoutSeconds: command.timeoutSeconds,
    signal: ctx.signal,
    clock: ctx.clock,
    log: ctx.log,
    processes: ctx.processes,
  });
  return { done: true, ...outcome };
}

function refuse(ctx: ServerJobContext<CommandParams>, message: string): ExecuteOutcome {
  ctx.log(message, 'info');
  return { done: true, ok: false, reason: 'module_failed', result: { exitCode: null, error: message } };
}
