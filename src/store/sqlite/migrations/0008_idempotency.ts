import { idempotencyMigration } from '../../sql/idempotency-migration.ts';

/** Idempotency keys of run starts. */
export const idempotency = idempotencyMigration({ text: 'text', integer: 'integer' });
