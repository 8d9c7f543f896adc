import { TaskwardenError } from '../../core/errors.ts';
import type { DriverErrorKind } from '../sql/context.ts';

/** node-postgres reports the server's SQLSTATE as `code`: 23505 unique_violation, 23503 foreign_key_violation. */
export function classifyPostgresError(error: unknown): DriverErrorKind | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '23505') return 'unique';
  if (code === '23503') return 'foreign_key';
  return null;
}

/** lock_not_available (lock_timeout), deadlock_detected, serialization_failure, query_canceled (statement_timeout). */
const BUSY_STATES = new Set(['55P03', '40P01', '40001', '57014']);
/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections. */
const AWAY_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Socket errors of a server that is down, restarting or out of reach. */
const AWAY_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** node-postgres's own words (no code) for a connection lost, closed, or not made in time. */
const AWAY_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed/i;

/** A PostgreSQL error that says the database is busy or away rather than the query wrong (OutageOf). */
export function postgresOutage(error: unknown): TaskwardenError | null {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  if (typeof code === 'string' && BUSY_STATES.has(code))
    return new TaskwardenError('store_busy', `database busy: ${text}`);
  const away =
    (typeof code === 'string' && (AWAY_STATES.has(code) || code.startsWith('08') || AWAY_SOCKET_CODES.has(code))) ||
    AWAY_MESSAGES.test(text);
  return away ? new TaskwardenError('store_unavailable', `database unreachable: ${text}`) : null;
}
