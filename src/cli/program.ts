import { Command } from 'commander';
import { registerScheduleCommands } from './commands/schedule.ts';
import { registerServerCommand } from './commands/server.ts';

/** The whole command tree; each group lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command('taskwarden')
    .description('Schedules, dispatches and monitors tasks for a fleet of machines and for the server itself.')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ outputError: (str, write) => write(`taskwarden: ${str.trim().replace(/^error: /, '')}\n`) });
  registerScheduleCommands(program);
  registerServerCommand(program);
  return program;
}
