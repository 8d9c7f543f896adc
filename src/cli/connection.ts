import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { TaskwardenClient } from '../client/api.ts';

export interface ConnectionFlags {
  server?: string;
  token?: string;
  data?: string;
}

/** Adds the Contract's connection flags to a client command. */
export function withConnection(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'server URL (env TASKWARDEN_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env TASKWARDEN_TOKEN, default <data>/admin.token when readable)')
    .option('--data <dir>', 'data folder holding admin.token (env TASKWARDEN_DATA, default ./taskwarden-data)');
}

/**
 * Flags, then the environment, then defaults: the local server's URL and, when this
 * user can read it, the admin token the server wrote on first start.
 */
export function connect(flags: ConnectionFlags, env = process.env): TaskwardenClient {
  const server = flags.server ?? env.TASKWARDEN_URL ?? 'http://127.0.0.1:8080';
  let token = flags.token ?? env.TASKWARDEN_TOKEN;
  if (!token) {
    const data = resolve(flags.data ?? env.TASKWARDEN_DATA ?? 'taskwarden-data');
    try {
      token = readFileSync(join(data, 'admin.token'), 'utf8').trim();
    } catch {
      token = undefined;
    }
  }
  return new TaskwardenClient({ server, token });
}

/** Options of the command merged with its parents' (commander keeps them per command). */
export function flagsOf<T>(cmd: Command): T & ConnectionFlags {
  return cmd.optsWithGlobals() as T & ConnectionFlags;
}
