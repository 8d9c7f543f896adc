import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { TaskwardenClient } from '../client/api.ts';
import { ValidationError } from '../core/errors.ts';
import { SERVER_FILE } from '../server/data-folder.ts';

export interface ConnectionFlags {
  server?: string;
  token?: string;
  data?: string;
  org?: string;
}

const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** Adds the Contract's connection flags to a client command. */
export function withConnection(cmd: Command): Command {
  return cmd
    .option(
      '--server <url>',
      `server URL (env TASKWARDEN_URL; default the one <data>/${SERVER_FILE} names, TASKWARDEN_PORT its port, else ${DEFAULT_SERVER})`,
    )
    .option('--token <token>', 'API token (env TASKWARDEN_TOKEN, default <data>/admin.token when readable)')
    .option(
      '--data <dir>',
      `local server's data folder, holding admin.token and ${SERVER_FILE} (env TASKWARDEN_DATA, default ./taskwarden-data)`,
    )
    .option('--org <org>', 'org name or id to act on; a global admin names one to write (env TASKWARDEN_ORG)');
}

/**
 * Flags, then the environment, then the local server's data folder: its URL (`server.json`,
 * written at each start, so a server on another port is found) and, when this user can read
 * it, the admin token the server wrote on first start.
 */
export function connect(flags: ConnectionFlags, env = process.env): TaskwardenClient {
  const data = resolve(flags.data ?? env.TASKWARDEN_DATA ?? 'taskwarden-data');
  const server = flags.server ?? nonEmpty(env.TASKWARDEN_URL) ?? localServer(data, env);
  let token = flags.token ?? nonEmpty(env.TASKWARDEN_TOKEN);
  if (!token) {
    try {
      token = readFileSync(join(data, 'admin.token'), 'utf8').trim();
    } catch {
      token = undefined;
    }
  }
  return new TaskwardenClient({ server, token, org: flags.org ?? nonEmpty(env.TASKWARDEN_ORG) });
}

/**
 * The URL in `<data>/server.json`, its port replaced by TASKWARDEN_PORT when set; else the
 * default. An HTTPS server with a publicUrl is reached there: its certificate names that
 * host, not 127.0.0.1.
 */
function localServer(data: string, env: NodeJS.ProcessEnv): string {
  let url: URL;
  try {
    const recorded = JSON.parse(readFileSync(join(data, SERVER_FILE), 'utf8')) as {
      url?: unknown;
      publicUrl?: unknown;
    };
    url = new URL(String(recorded.url));
    if (url.protocol === 'https:' && typeof recorded.publicUrl === 'string') url = new URL(recorded.publicUrl);
  } catch {
    url = new URL(DEFAULT_SERVER);
  }
  const port = nonEmpty(env.TASKWARDEN_PORT);
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
      throw new ValidationError('TASKWARDEN_PORT', `"${port}" is not a port (0-65535)`);
    }
    url.port = port;
  }
  return url.origin;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Options of the command merged with its parents' (commander keeps them per command). */
export function flagsOf<T>(cmd: Command): T & ConnectionFlags {
  return cmd.optsWithGlobals() as T & ConnectionFlags;
}
