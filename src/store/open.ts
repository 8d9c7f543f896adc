import { resolve } from 'node:path';
import { ValidationError } from '../core/errors.ts';
import type { Store } from '../core/ports/store.ts';

/**
 * Opens the store a URL names: `postgres://…` or `postgresql://…` (PostgreSQL),
 * `sqlite:/abs/file.db`, `sqlite:relative.db` (from the working directory),
 * `sqlite:///abs/file.db`, or a plain file path (SQLite). Each store is loaded when named:
 * a SQLite server never loads the PostgreSQL driver. `lockTimeoutMs`: PostgreSQL's
 * lock_timeout (SQLite waits for another process's lock a fixed BUSY_BUDGET_MS).
 */
export async function openStore(url: string, options: { lockTimeoutMs?: number | undefined } = {}): Promise<Store> {
  if (url.trim() === '') throw new ValidationError('store', 'is empty; give a SQLite file path or a database URL');
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const { openPostgresStore } = await import('./postgres/store.ts');
    return openPostgresStore({ url, lockTimeoutMs: options.lockTimeoutMs });
  }
  const file = sqliteFile(url);
  if (file === '') throw new ValidationError('store', `${url} names no database file`);
  const { openSqliteStore } = await import('./sqlite/store.ts');
  return openSqliteStore({ file: resolve(file) });
}

function sqliteFile(url: string): string {
  if (/^sqlite:\/\//i.test(url)) return url.slice('sqlite://'.length);
  if (/^sqlite:/i.test(url)) return url.slice('sqlite:'.length);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (scheme)
    throw new ValidationError('store', `unsupported database URL scheme "${scheme}:" (use sqlite: or postgres:)`);
  return url;
}
