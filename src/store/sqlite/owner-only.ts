import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Companions SQLite keeps beside the database file (WAL mode), with the database file's mode. */
const COMPANIONS = ['-wal', '-shm', '-journal'];

/**
 * The database holds every org's tasks, logs and credential hashes: only the server's user
 * may read it, whatever the umask. A missing folder is created 0700 and a missing file
 * 0600 before SQLite opens it (SQLite then gives its -wal and -shm files the same mode);
 * files left wider by an older version or a restored backup are narrowed to 0600.
 */
export function prepareOwnerOnlyFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  if (process.platform === 'win32') return;
  for (const path of [file, ...COMPANIONS.map((suffix) => file + suffix)]) {
    const mode = modeOf(path);
    if (mode !== null && (mode & 0o077) !== 0) chmodSync(path, 0o600);
  }
}

function modeOf(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}
