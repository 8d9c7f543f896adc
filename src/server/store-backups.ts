import { readdir, rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import { TaskwardenError } from '../core/errors.ts';
import type { StoreBackups } from '../core/ports/module.ts';
import { backupSqliteFile } from '../store/sqlite/backup.ts';
import { sqliteFileOf } from './backup.ts';
import type { ServerConfig } from './config.ts';

/** A backup's file name: its UTC time, so names sort as the backups were taken. */
const BACKUP_NAME = /^taskwarden-\d{8}T\d{9}Z\.db$/;

/**
 * The `backup` module's service (global tasks only): SQLite's online backup of the live
 * database, as `taskwarden backup` takes it, into `<data>/backups` or the job's folder,
 * keeping the newest `keep`. A PostgreSQL store has none: its database is dumped outside
 * (pg_dump), and a task using the module is refused when it is saved.
 */
export function storeBackups(config: Pick<ServerConfig, 'dbUrl' | 'dataDir'>, clock: Clock): StoreBackups {
  let database: string | null = null;
  let unsupported: string | null = null;
  try {
    database = sqliteFileOf(config);
  } catch {
    unsupported =
      'the store is PostgreSQL: back it up with pg_dump outside Taskwarden (README, Production); the backup module copies SQLite stores only';
  }
  return {
    unsupported,
    async snapshot({ folder, keep }) {
      if (database === null) throw new TaskwardenError('invalid_input', unsupported as string);
      const into = folder ?? join(config.dataDir, 'backups');
      if (!isAbsolute(into)) throw new TaskwardenError('invalid_input', `folder: ${into} is not absolute`);
      const stamp = new Date(clock.now()).toISOString().replace(/[-:.]/g, '');
      const file = join(into, `taskwarden-${stamp}.db`);
      await backupSqliteFile(database, file);
      const backups = (await readdir(into)).filter((name) => BACKUP_NAME.test(name)).sort();
      const removed = backups.slice(0, Math.max(0, backups.length - keep)).map((name) => join(into, name));
      for (const old of removed) await rm(old, { force: true });
      return { file, removed };
    },
  };
}
