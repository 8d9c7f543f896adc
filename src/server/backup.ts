import { access, readFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { systemClock } from '../core/clock.ts';
import { TaskwardenError, ValidationError } from '../core/errors.ts';
import type { Store } from '../core/ports/store.ts';
import { openStore } from '../store/open.ts';
import { backupSqliteFile, checkSqliteBackup } from '../store/sqlite/backup.ts';
import { ADMIN_TOKEN_FILE, issueTokenFile } from './bootstrap.ts';
import type { ServerConfig } from './config.ts';
import { hashSecret } from './secrets.ts';

/** SQLite keeps these beside the database; a replaced database takes them along (a stale WAL would be replayed into the new one). */
const COMPANIONS = ['', '-wal', '-shm', '-journal'];

/** `taskwarden backup FILE`: the server's SQLite database, copied online into FILE. */
export async function backupDatabase(config: ServerConfig, file: string): Promise<string> {
  const source = sqliteFileOf(config);
  if (!(await exists(source))) throw new ValidationError('--data', `no database at ${source}`);
  const destination = resolve(file);
  await backupSqliteFile(source, destination);
  return `backed up ${source} into ${destination}`;
}

/**
 * `taskwarden restore FILE`: FILE becomes the data folder's database, which a server then
 * starts from. An existing database is kept aside (`--force`) or the restore refused;
 * a folder whose admin.token the restored database does not know gets a new token of the
 * global admin (the backup holds token hashes only).
 */
export async function restoreDatabase(config: ServerConfig, file: string, force: boolean): Promise<string[]> {
  const target = sqliteFileOf(config);
  const backup = resolve(file);
  checkSqliteBackup(backup);
  const done: string[] = [];
  if (await exists(target)) {
    if (!force) {
      throw new TaskwardenError(
        'restore_target_exists',
        `${target} exists: stop its server, then restore with --force (it is kept aside)`,
      );
    }
    const aside = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of COMPANIONS) {
      if (await exists(target + suffix)) await rename(target + suffix, aside + suffix);
    }
    done.push(`kept the previous database as ${aside}`);
  }
  await backupSqliteFile(backup, target);
  done.push(`restored ${backup} into ${target}`);
  const tokenFile = join(config.dataDir, ADMIN_TOKEN_FILE);
  const store = await openStore(`sqlite:${target}`);
  try {
    // A backup of an older version gets this version's tables first (the server's start would do the same).
    await store.migrate();
    if (!(await tokenFileValid(store, tokenFile)) && (await issueAdminToken(store, tokenFile))) {
      done.push(`wrote a new admin token to ${tokenFile}`);
    }
  } finally {
    await store.close();
  }
  return done;
}

/** Whether the folder's admin.token is a live token of the restored database (a backup of this same server). */
async function tokenFileValid(store: Store, file: string): Promise<boolean> {
  const secret = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => null,
  );
  if (!secret) return false;
  const token = await store.tokens.findByHash(hashSecret(secret));
  return token !== null && token.revokedAt === null;
}

/** A new API token of the global admin (the backup holds token hashes only). */
async function issueAdminToken(store: Store, file: string): Promise<boolean> {
  const admins = (await store.users.list(null, { limit: 1000 })).items.filter((u) => u.role === 'admin' && !u.disabled);
  const admin = admins[0];
  if (!admin) return false;
  const now = systemClock.now();
  await issueTokenFile(store.tokens, { userId: admin.id, name: 'admin token after restore', file, now });
  return true;
}

export function sqliteFileOf(config: Pick<ServerConfig, 'dbUrl'>): string {
  if (/^postgres(ql)?:\/\//i.test(config.dbUrl)) {
    throw new ValidationError(
      '--db',
      'is PostgreSQL: back it up with pg_dump and restore with pg_restore (README, Production)',
    );
  }
  return resolve(config.dbUrl.replace(/^sqlite:(\/\/)?/i, ''));
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
