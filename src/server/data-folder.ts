import { rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `<data>/server.json`: the URL the server listens at, so client commands run beside it find it. */
export const SERVER_FILE = 'server.json';

/**
 * The data folder holds the SQLite database, admin.token and the package files: only the
 * server's own user may enter it. startServer creates it 0700; one that exists already with
 * wider rights may be the operator's choice (a backup group), so it is not changed, but
 * every start says so.
 */
export async function looseDataFolderWarnings(dataDir: string): Promise<string[]> {
  if (process.platform === 'win32') return [];
  const mode = (await stat(dataDir)).mode & 0o777;
  if ((mode & 0o077) === 0) return [];
  return [
    `data folder ${dataDir} is open to other users (mode ${mode.toString(8)}); it holds the database and ` +
      `admin.token: chmod 700 it`,
  ];
}

/**
 * Written at every start: `{"url": …}` with a wildcard address (0.0.0.0, ::) turned into
 * loopback, the address a client on this machine reaches it at, and `publicUrl` when set.
 */
export async function writeServerFile(dataDir: string, url: string, publicUrl?: string): Promise<void> {
  const local = new URL(url);
  if (local.hostname === '0.0.0.0') local.hostname = '127.0.0.1';
  if (local.hostname === '[::]') local.hostname = '[::1]';
  const file = join(dataDir, SERVER_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ url: local.origin, ...(publicUrl ? { publicUrl } : {}) })}\n`, {
    mode: 0o600,
  });
  await rename(temporary, file);
}
