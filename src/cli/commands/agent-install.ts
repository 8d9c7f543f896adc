import type { Command } from 'commander';
import type { AgentInstallOptions } from '../agent-service.ts';

/** `agent install` and `agent uninstall`: the agent as a systemd service (Linux). */
export function registerAgentInstall(agent: Command): void {
  agent
    .command('install')
    .description(
      'Install the agent as a systemd service (taskwarden-agent.service, as root) with its config ' +
        '/etc/taskwarden/agent.yaml; the agent options given (--name, --tags, --listen…) go into the config',
    )
    .option('--token-file <path>', 'file holding the enrolment token; copied to /etc/taskwarden (0600)')
    .option('--root <dir>', 'write under this folder instead of / and run no systemctl (env TASKWARDEN_INSTALL_ROOT)')
    .option('--no-start', 'write the files but do not enable and start the service')
    .action(async (_opts, cmd: Command) => {
      const { installAgent } = await import('../agent-service.ts');
      // --server, --data, --tags… are the parent command's options: they go into the config file.
      for (const line of await installAgent(cmd.optsWithGlobals() as AgentInstallOptions)) {
        process.stdout.write(`${line}\n`);
      }
    });

  agent
    .command('uninstall')
    .description('Stop and remove the agent service, its config and enrolment token (the agent stays on the server)')
    .option('--purge', "also delete the agent's data folder: its credential, unsent events and file cache")
    .option('--root <dir>', 'remove under this folder instead of / and run no systemctl (env TASKWARDEN_INSTALL_ROOT)')
    .action(async (_opts, cmd: Command) => {
      const { uninstallAgent } = await import('../agent-service.ts');
      for (const line of await uninstallAgent(cmd.optsWithGlobals() as AgentInstallOptions)) {
        process.stdout.write(`${line}\n`);
      }
    });
}
