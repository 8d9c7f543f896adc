import type { DriverErrorKind } from '../sql/context.ts';

/** better-sqlite3 reports constraint failures as SqliteError with an extended result code. */
export function classifySqliteError(error: unknown): DriverErrorKind | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign_key';
  return null;
}
