import type { Command } from 'commander';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { printJson } from '../output.ts';
import { agentIdOf, noneNamed } from '../refs.ts';
import { formatTable } from '../table.ts';

interface LedgerFlags {
  task?: string;
  job?: string;
  agent?: string;
  outcome?: string;
  limit: string;
  json?: boolean;
}

/** `ledger`: where each job of each task stands on each target, from its last outcome. */
export function registerLedgerCommand(program: Command): void {
  withConnection(program.command('ledger'))
    .description('Last outcome of each job of each task on each target (whichever run made it)')
    .option('--task <task>', 'only this task (name or id)')
    .option('--job <job>', 'only this job (its name in the task)')
    .option('--agent <agent>', 'only this target: an agent name or id, or "server"')
    .option('--outcome <outcome>', 'only this outcome: finished, error, cancelled or skipped')
    .option('--limit <n>', 'how many (default 100)', '100')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<LedgerFlags>(cmd);
      const client = connect(flags);
      const task = flags.task ? await client.findTask(flags.task) : undefined;
      if (flags.task && !task) throw noneNamed('task', flags.task);
      const agent = flags.agent && flags.agent !== 'server' ? await agentIdOf(client, flags.agent) : flags.agent;
      const page = await client.ledger({
        task: task?.id,
        job: flags.job,
        agent,
        outcome: flags.outcome,
        limit: flags.limit,
      });
      if (flags.json) return printJson(page);
      const rows = page.items.map((e) => ({
        task: e.taskName,
        job: e.job,
        target: e.agentId === null ? 'server' : (e.agentName ?? e.agentId),
        outcome: e.outcome,
        reason: e.reason ?? '',
        attempt: e.attempt ?? '-',
        at: e.at,
        run: e.runId,
      }));
      process.stdout.write(`${formatTable(rows) || 'no outcomes yet'}\n`);
      if (page.next) process.stdout.write(`(more: raise --limit, or use --json and the API's ?after=${page.next})\n`);
    });
}
