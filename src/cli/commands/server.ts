import type { Command } from 'commander';
import type { ServerFlags } from '../../server/config.ts';
import { CONFIG_ENV, SERVER_SETTINGS } from '../../server/settings.ts';
import { relaunchWithServerFlags } from '../relaunch.ts';
import { serveUntilSignal } from '../serve.ts';
import { registerServerInstall } from './server-install.ts';

/** `taskwarden server`: runs the server until SIGTERM or SIGINT, then shuts down gracefully; SIGHUP reloads TLS. */
export function registerServerCommand(program: Command): void {
  const server = program
    .command('server')
    .description('Run the Taskwarden server (REST API, engine, monitoring)')
    .option('--config <file>', `YAML config file, a key per setting (env ${CONFIG_ENV}); flags and env override it`);
  // One flag per row of the settings table that has one.
  for (const spec of SERVER_SETTINGS) {
    if (!spec.flag) continue;
    const plain = (text: string) => text.replaceAll('`', '');
    server.option(
      `${spec.flag} <value>`,
      `${plain(spec.doc)} (env ${spec.env}, config key ${spec.key}, default ${plain(spec.default)})`,
    );
  }
  server.action(async (flags: ServerFlags) => {
    if (relaunchWithServerFlags()) return;
    // Loaded on use: client commands start faster without the server's dependencies.
    const { resolveServerConfig } = await import('../../server/config.ts');
    const { startServer } = await import('../../server/start.ts');
    const running = await startServer(resolveServerConfig(flags, process.env, process.cwd()));
    if (running.adminTokenFile) process.stdout.write(`taskwarden: admin token written to ${running.adminTokenFile}\n`);
    process.stdout.write(`taskwarden: server listening on ${running.url}\n`);
    process.on('SIGHUP', () => {
      running.reloadTls().then(
        () => running.app.log.info('SIGHUP: TLS certificate and key reloaded'),
        (err: unknown) =>
          running.app.log.error(
            `SIGHUP: TLS reload failed, the previous certificate stays: ${err instanceof Error ? err.message : err}`,
          ),
      );
    });
    serveUntilSignal(running);
  });
  registerServerInstall(server);
}
