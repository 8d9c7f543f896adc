import { TaskwardenError } from '../../core/errors.ts';
import type { DriverErrorKind } from '../sql/context.ts';
import { BUSY_BUDGET_MS, isLockedOut } from './dialect.ts';

/** better-sqlite3 reports constraint failures as SqliteError with an extended result code. */
export function classifySqliteError(error: unknown): DriverErrorKind | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign_key';
  return null;
}

/** The file still locked by another process once the driver's retries gave up (OutageOf). */
export function sqliteOutage(error: unknown): TaskwardenError | null {
  if (!isLockedOut(error)) return null;
  const { code, message } = error as { code: string; message: string };
  return new TaskwardenError(
    'store_busy',
    `database locked by another process (${code}: ${message}; waited ${BUSY_BUDGET_MS / 1000} s)`,
  );
}
