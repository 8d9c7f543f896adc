import type { Command } from 'commander';
import { TaskwardenError } from '../../core/errors.ts';
import { JOB_FIELDS, TASK_FIELDS } from '../../core/task-def.ts';
import type { TaskView } from '../../protocol/tasks.ts';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { printJson } from '../output.ts';

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
      const defs = chosen.map(taskFileOf);
      const out = names.length === 1 ? defs[0] : defs;
      if (flags.json) return printJson(out);
      const { stringify } = await import('yaml');
      process.stdout.write(stringify(out, { lineWidth: 0 }));
    });
}

function pick(tasks: TaskView[], name: string): TaskView {
  const found = tasks.find((t) => t.id === name) ?? tasks.find((t) => t.name === name);
  if (!found) throw new TaskwardenError('not_found', `no task named "${name}"`);
  return found;
}

/** The definition fields only, in the order of the task rules (core/task-def.ts). */
export function taskFileOf(view: TaskView): Record<string, unknown> {
  const record = view as unknown as Record<string, unknown>;
  const def: Record<string, unknown> = {};
  for (const field of TASK_FIELDS) {
    if (record[field] !== undefined && record[field] !== null) def[field] = record[field];
  }
  def['jobs'] = view.jobs.map((job) => {
    const out: Record<string, unknown> = {};
    for (const field of JOB_FIELDS) {
      const value = (job as Record<string, unknown>)[field];
      if (value !== undefined && value !== null) out[field] = value;
    }
    return out;
  });
  return def;
}
