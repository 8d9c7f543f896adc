import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { TaskwardenError } from '../../core/errors.ts';
import type { Store, StoreCapabilities } from '../../core/ports/store.ts';
import { KyselyStore } from '../sql/kysely-store.ts';
import { withOutageErrors } from '../sql/outage-dialect.ts';
import type { Database as Tables } from '../sql/schema.ts';
import { checkpointOffLoop } from './checkpoints.ts';
import { StoreSqliteDialect } from './dialect.ts';
import { classifySqliteError, sqliteOutage } from './errors.ts';
import { sqliteMigrations } from './migrations/index.ts';
import { prepareOwnerOnlyFile } from './owner-only.ts';
import { readerThread } from './reader-thread.ts';

/** One process, one writer: no row locks to skip, nobody to notify; statements run on the event loop. */
export const SQLITE_CAPABILITIES: StoreCapabilities = {
  rowLocks: false,
  skipLocked: false,
  notify: false,
  multiNode: false,
  roundTrips: false,
};

/**
 * How long SQLite itself waits for another process's lock, blocking the event loop; longer
 * waits are the driver's, asynchronous (StoreSqliteDialect).
 */
const BUSY_TIMEOUT_MS = 10;

export interface SqliteStoreOptions {
  /** Path of the database file; its folder (0700) and it (0600) are created when missing. */
  file: string;
}

/**
 * Opens (creating when needed) a SQLite database file as a Store. The schema is not
 * touched until `migrate()`.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  let database: Database.Database;
  try {
    prepareOwnerOnlyFile(options.file);
    database = new Database(options.file);
    // WAL lets readers (the CLI, backups) work while the server writes; NORMAL is durable in WAL mode except on power loss.
    database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
    // A multi-row write in a transaction keeps a statement journal (to undo that statement
    // alone if it fails half-way), which SQLite spills to a temporary file past 64 KiB: a
    // batch of 50 jobstate ends or claims, whose rows sit on many pages of ten indexes,
    // created, wrote and deleted one each time. Kept in memory, those writes took a quarter
    // less time. Temporary tables and sorts stay in memory too; the store's statements are
    // bounded (lists in chunks, deletes by a limit).
    database.pragma('temp_store = MEMORY');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TaskwardenError('unavailable', `cannot open SQLite database ${options.file}: ${message}`);
  }
  const checkpoints = checkpointOffLoop(database);
  const reader = readerThread(database);
  const db = new Kysely<Tables>({ dialect: withOutageErrors(new StoreSqliteDialect(database), sqliteOutage) });
  return new KyselyStore({
    db,
    capabilities: SQLITE_CAPABILITIES,
    migrations: sqliteMigrations,
    classifyError: classifySqliteError,
    pingTakesWriteLock: true,
    returningBuffersRows: true,
    onClose: async () => {
      await reader.stop();
      await checkpoints.stop();
    },
    bulkRows: 'json',
    wholeTableRead: reader.read,
  });
}
