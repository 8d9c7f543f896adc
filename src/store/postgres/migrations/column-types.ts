import { sql } from 'kysely';
import type { ColumnTypes } from '../../sql/fleet-migration.ts';

/**
 * PostgreSQL's column types for the migrations shared by every backend, and for its own.
 * Text compares byte by byte, as in SQLite: ids are UUIDv7 strings whose text order is
 * their creation order (page cursors rely on it), and names must sort the same on every
 * backend whatever locale the database was created with. Every integer is bigint: times
 * are epoch ms, and queries compute started_at + timeout_seconds * 1000.
 */
export const POSTGRES_TYPES = {
  text: sql`text collate "C"`,
  integer: 'bigint',
} as const satisfies ColumnTypes;
