import type { IdempotencyRecord, IdempotencyRepo } from '../../core/ports/store.ts';
import { affected, type SqlContext } from './context.ts';
import type { IdempotencyKeyTable } from './schema.ts';

const toRecord = (row: IdempotencyKeyTable): IdempotencyRecord => ({
  scope: row.scope,
  key: row.key,
  request: row.request,
  runId: row.run_id,
  createdAt: row.created_at,
});

export function idempotencyRepo(ctx: SqlContext): IdempotencyRepo {
  const { db } = ctx;
  return {
    async claim(record, liveSince) {
      const row = {
        scope: record.scope,
        key: record.key,
        request: record.request,
        run_id: record.runId,
        created_at: record.createdAt,
      };
      // An insert, or the replacement of an expired record: one statement, so a concurrent
      // claim of the same key waits for ours to commit and then finds it live.
      const result = await db
        .insertInto('idempotency_keys')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['scope', 'key'])
            .doUpdateSet({ request: row.request, run_id: row.run_id, created_at: row.created_at })
            .where('idempotency_keys.created_at', '<', liveSince),
        )
        .executeTakeFirst();
      return affected(result.numInsertedOrUpdatedRows) > 0;
    },

    async get(scope, key, liveSince) {
      const row = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('created_at', '>=', liveSince)
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async deleteCreatedBefore(before) {
      const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
      return affected(result.numDeletedRows);
    },
  };
}
