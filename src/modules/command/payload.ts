/**
 * Server half of the `command` module for agent jobs: resolves the catalog entry and renders
 * the argv on the server, when the job is handed out, so the agent receives one runnable
 * argv and never sees a template, the catalog or free text to interpret.
 */

import type { PayloadContext } from '../sdk/index.ts';
import { renderInvocation, ValidationError } from '../sdk/index.ts';
import type { CommandParams, CommandPayload } from './schema.ts';

/** Throws (and the engine ends the jobstate `module_failed`) when the command cannot run on an agent. */
export async function commandPayload(ctx: PayloadContext<CommandParams>): Promise<CommandPayload> {
  const { command: name, args } = ctx.params;
  const command = await ctx.services.commands.resolve(name);
  if (!command) throw new ValidationError('params.command', `"${name}" is not in the command catalog`);
  if (command.runsOn === 'server') {
    throw new ValidationError('params.command', `command "${name}" runs on the server only, not on agents`);
  }
  const { argv, env, stdin, secrets } = renderInvocation(command, args, 'params.args');
  return {
    command: name,
    argv,
    timeoutSeconds: command.timeoutSeconds,
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...(stdin === undefined ? {} : { stdin }),
    ...(secrets.length > 0 ? { secrets } : {}),
  };
}
