import type { Command } from 'commander';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { orgNames } from '../org-names.ts';
import { printJson, shown } from '../output.ts';

/** `summary`: the monitoring lines of seed 001, one per task. */
export function registerSummaryCommand(program: Command): void {
  withConnection(program.command('summary'))
    .description('One monitoring line per task: details, completion, status')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const client = connect(flags);
      const { items } = await client.summary();
      if (flags.json) return printJson({ items });
      if (items.length === 0) process.stdout.write('no tasks\n');
      // Lines name their task only: its org comes from the task list.
      const orgOfTask = new Map((items.length ? await client.listTasks() : []).map((t) => [t.id, t.orgId]));
      const org = await orgNames(client, [...orgOfTask.values()]);
      for (const line of items) {
        const icons = line.modules.map((m) => m.icon).join('');
        const completion = line.completion === null ? 'N/A' : `${line.completion} %`;
        process.stdout.write(
          shown`[${org(orgOfTask.get(line.taskId) ?? null)}] ${icons} ${line.task} — ${line.details || '-'} — completion ${completion} — ${line.status}\n`,
        );
        for (const m of line.modules) for (const extra of m.lines) process.stdout.write(shown`    + ${extra}\n`);
      }
    });
}
