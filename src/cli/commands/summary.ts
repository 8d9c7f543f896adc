import type { Command } from 'commander';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { printJson, shown } from '../output.ts';

/** `summary`: the monitoring lines of seed 001, one per task. */
export function registerSummaryCommand(program: Command): void {
  withConnection(program.command('summary'))
    .description('One monitoring line per task: details, completion, status')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const { items } = await connect(flags).summary();
      if (flags.json) return printJson({ items });
      if (items.length === 0) process.stdout.write('no tasks\n');
      for (const line of items) {
        const icons = line.modules.map((m) => m.icon).join('');
        const completion = line.completion === null ? 'N/A' : `${line.completion} %`;
        process.stdout.write(
          shown`${icons} ${line.task} — ${line.details || '-'} — completion ${completion} — ${line.status}\n`,
        );
        for (const m of line.modules) for (const extra of m.lines) process.stdout.write(shown`    + ${extra}\n`);
      }
    });
}
