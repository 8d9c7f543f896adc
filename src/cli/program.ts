import type { Command } from 'commander';
import { newProgram } from './command-line.ts';
import { registerAdminCommands } from './commands/admin.ts';
import { registerAgentCommands } from './commands/agent.ts';
import { registerBackupCommands } from './commands/backup.ts';
import { registerCalendarCommands } from './commands/calendar.ts';
import { registerChannelCommands } from './commands/channel.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerEnrolmentTokenCommands } from './commands/enrolment-token.ts';
import { registerLedgerCommand } from './commands/ledger.ts';
import { registerRunCommands } from './commands/run.ts';
import { registerScheduleCommands } from './commands/schedule.ts';
import { registerServerCommand } from './commands/server.ts';
import { registerSummaryCommand } from './commands/summary.ts';
import { registerTaskCommands } from './commands/task.ts';
import { packageVersion } from './version.ts';

/** The whole command tree; each group lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = newProgram(
    'taskwarden',
    'Schedules, dispatches and monitors tasks for a fleet of machines and for the server itself.',
    packageVersion(),
  );
  registerScheduleCommands(program);
  registerServerCommand(program);
  registerDemoCommand(program);
  registerTaskCommands(program);
  registerRunCommands(program);
  registerSummaryCommand(program);
  registerLedgerCommand(program);
  registerAdminCommands(program);
  registerAgentCommands(program);
  registerChannelCommands(program);
  registerCalendarCommands(program);
  registerEnrolmentTokenCommands(program);
  registerBackupCommands(program);
  return program;
}
