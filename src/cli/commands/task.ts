import type { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { TaskwardenClient } from '../../client/api.ts';
import { ValidationError } from '../../core/errors.ts';
import { isGlobalOrg } from '../../core/global-tasks.ts';
import type { RunView } from '../../protocol/runs.ts';
import type { TaskView } from '../../protocol/tasks.ts';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { orgNames } from '../org-names.ts';
import { printJson, shown } from '../output.ts';
import { noneNamed } from '../refs.ts';
import { formatTable } from '../table.ts';
import { printRun, runExitCode } from './run.ts';
import { registerTaskExport } from './task-export.ts';

/** A task file may hold a bulk load (100,000 schedules are about 20 MB of YAML). */
const TASK_FILE_BYTES = 64 * 1024 * 1024;
/** Files of this many tasks or more show a progress bar on a terminal. */
const BAR_FROM = 100;

/** Progress of a long apply, on stderr (stdout keeps the result, `--json` stays parseable). */
async function applyBar(total: number): Promise<SingleBar> {
  const { SingleBar } = await import('cli-progress');
  const bar = new SingleBar({
    format: 'apply [{bar}] {value}/{total} tasks',
    hideCursor: true,
    stream: process.stderr,
  });
  bar.start(total, 0);
  return bar;
}

/** `task …`: define tasks from files, list, inspect, switch on and off, run them. */
export function registerTaskCommands(program: Command): void {
  const task = program.command('task').description('Define, inspect and run tasks');

  withConnection(task.command('apply'))
    .description('Create or update tasks from a YAML/JSON file (idempotent by name); shows what changed')
    .requiredOption('-f, --file <file>', 'task file: one task, a list of tasks, or several YAML documents')
    .option('--json', 'print the result as JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ file: string; json?: boolean }>(cmd);
      const client = connect(flags);
      const { readDefinitions } = await import('../task-file.ts');
      const { applyTasks } = await import('../apply.ts');
      const { checkTaskDefBody } = await import('../../protocol/task-def-check.ts');
      // Every definition passes the API's schema before the first is sent: a file with a
      // malformed task changes nothing, and says so in the words (and the tasks[i] of the
      // file) the batch route would. What needs the server (modules, catalog, channels) stays its check.
      const file = readDefinitions(flags.file, 'task', TASK_FILE_BYTES);
      const defs = file.map((def, i) => checkTaskDefBody(def, file.length > 1 ? `tasks[${i}]` : ''));
      const bar = defs.length >= BAR_FROM && process.stderr.isTTY ? await applyBar(defs.length) : null;
      const results = await applyTasks(client, defs, (done) => bar?.update(done)).finally(() => bar?.stop());
      if (flags.json) return printJson(results);
      for (const r of results) {
        process.stdout.write(shown`${r.action} ${r.name}${r.changes.length ? ` (${r.changes.join(', ')})` : ''}\n`);
      }
    });

  registerTaskExport(task);

  withConnection(task.command('list'))
    .description('List tasks')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const client = connect(flags);
      const tasks = await client.listTasks();
      if (flags.json) return printJson({ items: tasks });
      const org = await orgNames(
        client,
        tasks.map((t) => t.orgId),
      );
      process.stdout.write(
        `${
          formatTable(
            tasks.map((t) => ({
              name: t.name,
              org: org(t.orgId),
              enabled: t.enabled ? 'yes' : 'no',
              schedule: t.schedule.kind as string,
              jobs: t.jobs.map((j) => `${j.name}:${j.module}`).join(', '),
              id: t.id,
            })),
          ) || 'no tasks'
        }\n`,
      );
    });

  withConnection(task.command('show <task>'))
    .description('Show a task (by name or id) as a task file that task apply takes back; --json: the API record')
    .option('--json', 'print the API record (id, version, timestamps and the definition) as JSON')
    .action(async (name: string, _opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const found = await mustFind(connect(flags), name);
      if (flags.json) return printJson(found);
      const { taskFileOf, taskFileYaml } = await import('../task-export.ts');
      // The record's own fields as a comment: apply reads the definition only.
      const scope = isGlobalOrg(found.orgId) ? 'global task' : 'task';
      process.stdout.write(shown`# ${scope} ${found.id}, version ${found.version}, updated ${found.updatedAt}\n`);
      process.stdout.write(await taskFileYaml(taskFileOf(found)));
    });

  withConnection(task.command('history <task>'))
    .description('Who changed a task, when, and which fields (named as in the task file); --json: with the diffs')
    .option('--json', 'print the history entries with their {field: {from, to}} diffs')
    .action(async (name: string, _opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const client = connect(flags);
      const entries = await client.taskHistory((await mustFind(client, name)).id);
      if (flags.json) return printJson({ items: entries });
      const rows = entries.map((e) => ({
        at: e.at,
        action: e.action,
        by: e.actor ?? 'the system',
        fields:
          e.action === 'update' && e.diff !== null && typeof e.diff === 'object' ? Object.keys(e.diff).join(', ') : '',
      }));
      process.stdout.write(`${formatTable(rows)}\n`);
    });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    withConnection(task.command(`${verb} <task>`))
      .description(`${verb === 'enable' ? 'Enable' : 'Disable'} a task`)
      .action(async (name: string, _opts, cmd: Command) => {
        const client = connect(flagsOf(cmd));
        const found = await mustFind(client, name);
        await client.setTaskEnabled(found.id, enabled);
        process.stdout.write(shown`${verb}d ${found.name}\n`);
      });
  }

  withConnection(task.command('delete <task>'))
    .description('Delete a task with its runs and logs (its history and last outcomes stay)')
    .action(async (name: string, _opts, cmd: Command) => {
      const client = connect(flagsOf(cmd));
      const found = await mustFind(client, name);
      await client.deleteTask(found.id);
      process.stdout.write(shown`deleted ${found.name}\n`);
    });

  withConnection(task.command('run <task>'))
    .description('Run a task now; exits 0 when the run finished, 1 when it failed')
    .option('--wait <seconds>', 'wait up to this many seconds for the run to end (max 300)')
    .option('--follow', 'show live progress until the run ends')
    .option('--json', 'print the run as JSON')
    .action(async (name: string, _opts, cmd: Command) => {
      const flags = flagsOf<{ wait?: string; follow?: boolean; json?: boolean }>(cmd);
      const wait = flags.wait === undefined ? undefined : Number(flags.wait);
      if (wait !== undefined && (!Number.isInteger(wait) || wait < 0 || wait > 300)) {
        throw new ValidationError('--wait', 'must be a whole number of seconds from 0 to 300');
      }
      const client = connect(flags);
      // Loaded on use: its progress bar is for this command only.
      const { followRun, isEnded } = await import('../follow.ts');
      const found = await mustFind(client, name);
      let run: RunView = await client.runTask(found.id, wait);
      if (flags.follow && !isEnded(run)) run = await followRun(client, run.id);
      if (flags.json) printJson(run);
      else printRun(run);
      process.exitCode = wait !== undefined || flags.follow || isEnded(run) ? runExitCode(run) : 0;
    });
}

async function mustFind(client: TaskwardenClient, name: string): Promise<TaskView> {
  const found = await client.findTask(name);
  if (!found) throw noneNamed('task', name);
  return found;
}
