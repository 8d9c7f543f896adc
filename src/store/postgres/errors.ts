import type { DriverErrorKind } from '../sql/context.ts';

/** node-postgres reports the server's SQLSTATE as `code`: 23505 unique_violation, 23503 foreign_key_violation. */
export function classifyPostgresError(error: unknown): DriverErrorKind | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '23505') return 'unique';
  if (code === '23503') return 'foreign_key';
  return null;
}
