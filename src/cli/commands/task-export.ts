import type { Command } from 'commander';
import type { TaskView } from '../../protocol/tasks.ts';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { printJson } from '../output.ts';
import { noneNamed } from '../refs.ts';

/** `task export`: task files that `task apply -f` takes back as they are (the stored record's own fields left out). */
export function registerTaskExport(task: Command): void {
  withConnection(task.command('export [tasks...]'))
    .description('Print tasks (by name or id; default all) as a task file that task apply takes back unchanged')
    .option('--json', 'JSON instead of YAML')
    .action(async (names: string[], _opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const client = connect(flags);
      const all = await client.listTasks();
      const chosen = names.length === 0 ? all : names.map((name) => pick(all, name));
      // Loaded on use: the task rules pull in the schedule engine.
      const { taskFileOf, taskFileYaml } = await import('../task-export.ts');
      const defs = chosen.map(taskFileOf);
      const out = names.length === 1 ? defs[0] : defs;
      if (flags.json) return printJson(out);
      process.stdout.write(await taskFileYaml(out));
    });
}

function pick(tasks: TaskView[], name: string): TaskView {
  const found = tasks.find((t) => t.id === name) ?? tasks.find((t) => t.name === name);
  if (!found) throw noneNamed('task', name);
  return found;
}
