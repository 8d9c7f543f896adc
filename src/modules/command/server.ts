/** Server half of the `command` module: runs a catalog command on the server, streaming its output. */
import { type Invocation, renderInvocation } from '../../core/catalog.ts';
import { type ExecuteOutcome, type ServerJobContext, ValidationError } from '../sdk.ts';
import { runCommand } from './run-command.ts';
import type { CommandParams } from './schema.ts';

/** Commands do not checkpoint: a program cannot be paused and resumed, so it runs to its end. */
export async function executeCommand(ctx: ServerJobContext<CommandParams>): Promise<ExecuteOutcome> {
  const { command: name, args } = ctx.params;
  const command = await ctx.services.commands.resolve(ctx.jobstate.orgId, name);
  if (!command) return refuse(ctx, `command "${name}" is not in the catalog`);
  if (command.runsOn === 'agent') return refuse(ctx, `command "${name}" runs on agents only, not on the server`);
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
  });
  return { done: true, ...outcome };
}

function refuse(ctx: ServerJobContext<CommandParams>, message: string): ExecuteOutcome {
  ctx.log(message, 'info');
  return { done: true, ok: false, reason: 'module_failed', result: { exitCode: null, error: message } };
}
