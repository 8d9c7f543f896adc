import type { Command } from 'commander';
import { relaunchWithServerFlags } from '../relaunch.ts';

/**
 * `taskwarden demo` (what `npm start` runs): the server on the embedded SQLite store with
 * a "demo" org, a user to log in with, a small command catalog and sample tasks, so a
 * newcomer sees runs flowing within a minute. Safe to run again: it only adds what is missing.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Start the server with sample tasks on the embedded store (what `npm start` runs)')
    .option('--data <dir>', 'data folder (env TASKWARDEN_DATA, default ./taskwarden-data)')
    .option('--port <n>', 'port to listen on (env TASKWARDEN_PORT, default 8080)')
    .option('--host <h>', 'address to listen on (env TASKWARDEN_HOST, default 127.0.0.1)')
    .action(async (flags: { data?: string; port?: string; host?: string }) => {
      if (relaunchWithServerFlags()) return;
      // Loaded on use: the other commands never load the server, its store and the agent runtime.
      const { runDemo } = await import('../demo.ts');
      await runDemo(flags);
    });
}
