import { idempotencyMigration } from '../../sql/idempotency-migration.ts';
import { POSTGRES_TYPES } from './column-types.ts';

/** SQLite's 0008 with PostgreSQL types. */
export const idempotency = idempotencyMigration(POSTGRES_TYPES);
