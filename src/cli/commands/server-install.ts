import type { Command } from 'commander';
import type { ServerInstallOptions } from '../server-service.ts';

export const SERVER_UNIT = 'taskwarden.service';
export const SERVER_CONFIG = '/etc/taskwarden/config.yaml';
/** systemd's StateDirectory= makes it, owned by the service's user, mode 0700. */
export const SERVER_DATA = '/var/lib/taskwarden';

/**
 * `taskwarden server install`: a systemd unit running `taskwarden server --config
 * /etc/taskwarden/config.yaml` (written too, unless one is there), restarted on failure,
 * reloaded (TLS) with `systemctl reload`, logging to the journal.
 */
export function registerServerInstall(server: Command): void {
  server
    .command('install')
    .description(`Install the server as a systemd service (${SERVER_UNIT}) with its config file ${SERVER_CONFIG}`)
    .option('--root <dir>', 'write under this folder instead of / and run no systemctl (env TASKWARDEN_INSTALL_ROOT)')
    .option('--no-start', 'write the files but do not enable and start the service')
    .option('--user <name>', 'run as this existing account (default: a dynamic user systemd creates)')
    .action(async (_opts, cmd: Command) => {
      const { installServer } = await import('../server-service.ts');
      // The server's own flags (--port, --tls-cert…) are the parent command's: they go into the config file.
      const flags = cmd.optsWithGlobals() as ServerInstallOptions;
      for (const line of await installServer(flags)) process.stdout.write(`${line}\n`);
    });
}
