/** Agent half of the `command` module: runs the argv the server rendered, streaming its output. */

import type { AgentJobContext, AgentOutcome } from '../sdk/index.ts';
import { compileSchemaOnFirstUse, runCommand, ValidationError } from '../sdk/index.ts';
import { type CommandParams, type CommandPayload, commandPayloadSchema } from './schema.ts';

const parsePayload = compileSchemaOnFirstUse(commandPayloadSchema, { useDefaults: false });

export async function runCommandOnAgent(ctx: AgentJobContext<CommandParams>): Promise<AgentOutcome> {
  let payload: CommandPayload;
  try {
    payload = parsePayload(ctx.payload, 'payload') as CommandPayload;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    ctx.log(`command "${ctx.params.command}": the server sent no runnable command (${err.message})`, 'info');
    return { ok: false, reason: 'module_failed', result: { exitCode: null, error: err.message } };
  }
  return runCommand({
    name: payload.command,
    argv: payload.argv,
    env: payload.env ?? {},
    stdin: payload.stdin,
    secrets: payload.secrets ?? [],
    timeoutSeconds: payload.timeoutSeconds,
    signal: ctx.signal,
    clock: ctx.clock,
    pausedSince: ctx.pausedSince,
    log: ctx.log,
  });
}
