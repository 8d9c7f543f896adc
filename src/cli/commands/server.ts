import type { Command } from 'commander';
import type { ServerFlags } from '../../server/config.ts';
import { serveUntilSignal } from '../serve.ts';

/** `taskwarden server`: runs the server until SIGTERM or SIGINT, then shuts down gracefully. */
export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('Run the Taskwarden server (REST API, engine, monitoring)')
    .option('--data <dir>', 'data folder (env TASKWARDEN_DATA, default ./taskwarden-data)')
    .option(
      '--db <url>',
      'database: sqlite:<file> or postgres://… (env TASKWARDEN_DB, default sqlite:<data>/taskwarden.db)',
    )
    .option('--port <n>', 'port to listen on (env TASKWARDEN_PORT, default 8080)')
    .option('--host <h>', 'address to listen on (env TASKWARDEN_HOST, default 127.0.0.1)')
    .option(
      '--trust-proxy <list>',
      'reverse proxies whose X-Forwarded-* headers are believed: addresses/CIDRs, or true (env TASKWARDEN_TRUST_PROXY, default none)',
    )
    .action(async (flags: ServerFlags) => {
      // Loaded on use: client commands start faster without the server's dependencies.
      const { resolveServerConfig } = await import('../../server/config.ts');
      const { startServer } = await import('../../server/start.ts');
      const server = await startServer(resolveServerConfig(flags, process.env, process.cwd()));
      if (server.adminTokenFile) process.stdout.write(`taskwarden: admin token written to ${server.adminTokenFile}\n`);
      process.stdout.write(`taskwarden: server listening on ${server.url}\n`);
      serveUntilSignal(server);
    });
}
