import type { Command } from 'commander';
import type { AgentFlags } from '../../agent/config.ts';
import type { AgentDiagnosticsView } from '../../protocol/agents.ts';
import { declareAgentOptions } from '../agent-options.ts';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { orgNames } from '../org-names.ts';
import { printJson, shown } from '../output.ts';
import { agentIdOf, noneNamed } from '../refs.ts';
import { formatTable } from '../table.ts';
import { packageVersion } from '../version.ts';
import { registerAgentInstall } from './agent-install.ts';

/**
 * `taskwarden agent`: runs this machine's agent until SIGTERM/SIGINT; `agent list` and
 * `agent why ID` look at agents through the REST API.
 */
export function registerAgentCommands(program: Command): void {
  const agent = declareAgentOptions(
    program
      .command('agent')
      .description('Run the Taskwarden agent on this machine (enrols the first time), or inspect agents'),
  ).action(async (flags: AgentFlags) => {
    // Loaded on use: the other commands never load the agent runtime and its modules.
    const { runAgent } = await import('../../agent/main.ts');
    await runAgent(flags, packageVersion());
  });
  registerAgentInstall(agent);

  withConnection(agent.command('list'))
    .description('List the agents of the org')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const client = connect(flags);
      const agents = await client.listAgents();
      if (flags.json) return printJson({ items: agents });
      const org = await orgNames(
        client,
        agents.map((a) => a.orgId),
      );
      const rows = agents.map((a) => ({
        id: a.id,
        name: a.name,
        org: org(a.orgId),
        tags: a.tags.join(','),
        enabled: a.enabled ? 'yes' : 'no',
        version: a.version ?? '',
        presence: a.enabled ? a.presence : 'disabled',
        'last contact': a.lastContactAt ?? 'never',
        wake: a.wakeUrl ?? 'pull',
      }));
      process.stdout.write(`${formatTable(rows) || 'no agents'}\n`);
    });

  withConnection(agent.command('allow-reenrol <agent>'))
    .description(
      'Let the agent enrol again with its device id, once (a reinstalled machine): it keeps its id, ' +
        'history and pending jobs. Until then an enrolment with that device id is refused',
    )
    .option('--for <duration>', 'how long the leave lasts (default 7d, at most 30d)')
    .option('--cancel', 'withdraw a leave given before')
    .option('--json', 'print JSON')
    .action(async (ref: string, _opts, cmd: Command) => {
      const flags = flagsOf<{ for?: string; cancel?: boolean; json?: boolean }>(cmd);
      const client = connect(flags);
      const id = await agentIdOf(client, ref);
      const updated = flags.cancel ? await client.cancelReenrol(id) : await client.allowReenrol(id, flags.for);
      if (flags.json) return printJson(updated);
      const until = updated.reenrolAllowedUntil;
      process.stdout.write(
        until
          ? `agent ${updated.name} (${updated.id}) may enrol again until ${until}\n`
          : `agent ${updated.name} (${updated.id}) may not enrol again\n`,
      );
    });

  withConnection(agent.command('why <agent>'))
    .description(
      "Explain what an agent (id or name) is doing and why work is not running on it (the server's diagnostics)",
    )
    .option('--task <task>', 'also explain whether this task (name or id) reaches the agent, job by job')
    .option('--json', 'print JSON')
    .action(async (ref: string, _opts, cmd: Command) => {
      const flags = flagsOf<{ task?: string; json?: boolean }>(cmd);
      const client = connect(flags);
      const task = flags.task === undefined ? undefined : await client.findTask(flags.task);
      if (flags.task !== undefined && !task) throw noneNamed('task', flags.task);
      const diagnostics = await client.agentDiagnostics(await agentIdOf(client, ref), task?.id);
      if (flags.json) return printJson(diagnostics);
      process.stdout.write(formatDiagnostics(diagnostics));
    });
}

/** "Why isn't it running?" in lines: the agent's state, then one line per open jobstate. */
export function formatDiagnostics(d: AgentDiagnosticsView): string {
  const a = d.agent;
  const lines = [
    shown`agent ${a.name} (${a.id}) ${a.enabled ? a.presence : 'disabled'}` +
      shown` — last contact ${a.lastContactAt ?? 'never'}, next expected ${a.nextContactAt ?? 'unknown'}` +
      shown` — ${a.wakeUrl ? `woken at ${a.wakeUrl}` : 'pull only'}`,
  ];
  if (a.lastWakeError) lines.push(shown`last wake failed at ${a.lastWakeErrorAt}: ${a.lastWakeError}`);
  if (d.items.length === 0) lines.push('no open jobstates: nothing is waiting for this agent');
  for (const item of d.items) {
    // Most messages already name the time their wait ends; say it only when they do not.
    const until = item.until && !item.message.includes(item.until) ? ` (until ${item.until})` : '';
    lines.push(
      shown`${item.task ?? item.taskId} / ${item.job} (${item.module}, attempt ${item.attempt}) ${item.status}: ${item.message}${until}`,
    );
  }
  if (d.reach) {
    const reached = d.reach.lines.some((l) => l.job !== null && l.reaches);
    const blocked = d.reach.lines.some((l) => !l.reaches && l.code !== 'server_job');
    lines.push(
      shown`task ${d.reach.task}: ${reached && !blocked ? 'reaches this agent' : 'does not reach this agent'}`,
    );
    for (const l of d.reach.lines) {
      lines.push(shown`  ${l.job === null ? 'task' : `job ${l.job}`}: ${l.reaches ? 'yes' : 'no'} — ${l.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
