import { stat } from 'node:fs/promises';

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
