import { chmod, rename, rm } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { ValidationError } from '../../core/errors.ts';
import { prepareOwnerOnlyFile } from './owner-only.ts';

/** A table every Taskwarden database has, and kysely's record of the migrations run. */
const EXPECTED_TABLES = ['tasks', 'kysely_migration'];

/**
 * Copies a live SQLite database with SQLite's online backup API: a consistent snapshot even
 * while the server writes (a change during the copy restarts it), into one self-contained
 * file, 0600, which appears complete or not at all (written beside it, then renamed).
 */
export async function backupSqliteFile(source: string, destination: string): Promise<void> {
  let db: Database.Database;
  try {
    db = new Database(source, { fileMustExist: true });
  } catch (err) {
    throw new ValidationError('database', `cannot open ${source} (${(err as Error).message})`);
  }
  prepareOwnerOnlyFile(destination);
  const partial = `${destination}.${process.pid}.partial`;
  try {
    await db.backup(partial);
    await chmod(partial, 0o600);
    await rename(partial, destination);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
}

/** Refuses a file that is not an intact Taskwarden database, before anything is replaced with it. */
export function checkSqliteBackup(file: string): void {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new ValidationError(file, `cannot open (${(err as Error).message})`);
  }
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new ValidationError(file, `is damaged (quick_check: ${check})`);
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (t) => t.name,
      ),
    );
    const missing = EXPECTED_TABLES.filter((name) => !tables.has(name));
    if (missing.length > 0)
      throw new ValidationError(file, `is no Taskwarden database (no ${missing.join(', ')} table)`);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError(file, `is no SQLite database (${(err as Error).message})`);
  } finally {
    db.close();
  }
}
