import { defineModule, summarizeOutcomes } from '../sdk/index.ts';
import { runCommandOnAgent } from './agent.ts';
import { commandPayload } from './payload.ts';
import { type CommandParams, commandParamsSchema } from './schema.ts';
import { executeCommand } from './server.ts';

/**
 * `command`: runs a predefined catalog command (Taskomatic: predefined commands only).
 * Each catalog entry says where that command may run (server, agents or both).
 */
export const commandModule = defineModule<CommandParams>({
  name: 'command',
  title: 'Command',
  icon: '▶',
  description: 'Runs a predefined command from the catalog, with validated arguments and no shell.',
  runsOn: 'both',
  paramsSchema: commandParamsSchema,
  execute: executeCommand,
  payload: commandPayload,
  agent: { run: runCommandOnAgent },
  summarize: summarizeOutcomes,
});

export default commandModule;
