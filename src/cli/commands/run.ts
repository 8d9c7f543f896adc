import type { Command } from 'commander';
import type { RunView } from '../../protocol/runs.ts';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { agentNames, orgNames, taskNames } from '../org-names.ts';
import { printJson, shown } from '../output.ts';
import { noneNamed, runIdOf } from '../refs.ts';
import { formatTable } from '../table.ts';

/** `run …`: the history of runs, one run's jobstates and logs, cancelling, a rollout's resume and promote. */
export function registerRunCommands(program: Command): void {
  const run = program.command('run').description('Inspect, cancel, resume and promote runs');

  withConnection(run.command('list'))
    .description('List runs, newest first')
    .option('--task <task>', 'only runs of this task (name or id)')
    .option('--status <status>', 'only runs with this status (comma-separated list allowed)')
    .option('--limit <n>', 'how many (default 50)', '50')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ task?: string; status?: string; limit: string; json?: boolean }>(cmd);
      const client = connect(flags);
      const task = flags.task ? await client.findTask(flags.task) : undefined;
      if (flags.task && !task) throw noneNamed('task', flags.task);
      const page = await client.listRuns({ task: task?.id, status: flags.status, limit: flags.limit });
      if (flags.json) return printJson(page);
      const org = await orgNames(
        client,
        page.items.map((r) => r.orgId),
      );
      const taskName = await taskNames(
        client,
        page.items.map((r) => r.taskId),
      );
      const rows = page.items.map((r) => ({
        id: r.id,
        task: taskName(r.taskId),
        org: org(r.orgId),
        status: r.status,
        reason: r.reason,
        fired: r.fireAt,
        completion: r.completion === null ? '-' : `${r.completion} %`,
        counts: countsText(r),
      }));
      process.stdout.write(`${formatTable(rows) || 'no runs'}\n`);
    });

  withConnection(run.command('show <run> [last]'))
    .description('Show a run and its jobstates: by id, or TASK last (its newest run)')
    .option('--logs', 'also print every jobstate log')
    .option('--json', 'print JSON')
    .action(async (ref: string, which: string | undefined, _opts, cmd: Command) => {
      const flags = flagsOf<{ logs?: boolean; json?: boolean }>(cmd);
      const client = connect(flags);
      const id = await runIdOf(client, ref, which);
      const [r, jobstates] = await Promise.all([client.getRun(id), client.runJobstates(id)]);
      const logs = new Map<string, { ts: string; stream: string; line: string }[]>();
      if (flags.logs) {
        for (const js of jobstates) {
          const lines = [];
          let after: string | undefined;
          do {
            const page = await client.logs(js.id, after);
            lines.push(...page.items);
            after = page.next ?? undefined;
          } while (after);
          logs.set(js.id, lines);
        }
      }
      if (flags.json)
        return printJson({ run: r, jobstates: jobstates.map((js) => ({ ...js, logs: logs.get(js.id) })) });
      printRun(r, (await taskNames(client, [r.taskId]))(r.taskId));
      const agent = await agentNames(
        client,
        jobstates.map((js) => js.agentId),
      );
      const rows = jobstates.map((js) => ({
        jobstate: js.id,
        job: js.job,
        module: js.module,
        target: agent(js.agentId),
        status: js.status,
        reason: js.reason ?? '',
        attempt: js.attempt,
        ...(js.wave === undefined ? {} : { wave: js.wave }),
      }));
      process.stdout.write(`${formatTable(rows)}\n`);
      for (const js of jobstates) {
        const lines = logs.get(js.id);
        if (!lines) continue;
        process.stdout.write(shown`\n--- ${js.job} on ${agent(js.agentId)} (${js.status})\n`);
        for (const l of lines) process.stdout.write(shown`${l.ts} ${l.stream.padEnd(6)} ${l.line}\n`);
      }
    });

  withConnection(run.command('cancel <run> [last]'))
    .description('Cancel a pending or running run: by id, or TASK last')
    .action(async (ref: string, which: string | undefined, _opts, cmd: Command) => {
      const client = connect(flagsOf(cmd));
      const r = await client.cancelRun(await runIdOf(client, ref, which));
      process.stdout.write(shown`run ${r.id} ${r.status}\n`);
    });

  for (const [action, what] of [
    ['resume', 'Resume a run its rollout halted, at its next wave'],
    ['promote', 'Open the next rollout wave of a run now, skipping the pause'],
  ] as const) {
    withConnection(run.command(`${action} <run> [last]`))
      .description(`${what}: by id, or TASK last`)
      .action(async (ref: string, which: string | undefined, _opts, cmd: Command) => {
        const client = connect(flagsOf(cmd));
        printRun(await client.rolloutAction(await runIdOf(client, ref, which), action));
      });
  }
}

/** One line for a run; `taskName` when the caller knows it (`run show`). */
export function printRun(r: RunView, taskName?: string): void {
  const completion = r.completion === null ? '' : ` — completion ${r.completion} %`;
  const of = taskName === undefined ? '' : ` of ${taskName}`;
  const wave = r.rollout ? ` — wave ${r.rollout.wave}/${r.rollout.waves}${r.rollout.halted ? ' halted' : ''}` : '';
  process.stdout.write(
    shown`run ${r.id}${of} ${r.status}${r.statusReason ? ` (${r.statusReason})` : ''}${completion}${wave} — ${countsText(r)}\n`,
  );
}

/** 0 when the run finished, 1 when it ended otherwise, per the Contract's exit codes. */
export function runExitCode(r: RunView): number {
  return r.status === 'finished' ? 0 : 1;
}

function countsText(r: RunView): string {
  return Object.entries(r.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
}
