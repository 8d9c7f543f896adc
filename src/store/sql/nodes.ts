import type { NodeRecord, NodeRepo } from '../../core/ports/store.ts';
import { affected, type SqlContext } from './context.ts';
import type { NodeTable } from './schema.ts';

const toNode = (row: NodeTable): NodeRecord => ({
  id: row.id,
  hostname: row.hostname,
  pid: row.pid,
  version: row.version,
  startedAt: row.started_at,
  seenAt: row.seen_at,
  stoppedAt: row.stopped_at,
  clockOffsetMs: row.clock_offset_ms,
});

export function nodeRepo(ctx: SqlContext): NodeRepo {
  const { db } = ctx;
  return {
    async heartbeat(node) {
      const row = {
        id: node.id,
        hostname: node.hostname,
        pid: node.pid,
        version: node.version,
        started_at: node.startedAt,
        seen_at: node.seenAt,
        stopped_at: null,
        clock_offset_ms: node.clockOffsetMs,
      };
      await db
        .insertInto('nodes')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            hostname: row.hostname,
            pid: row.pid,
            version: row.version,
            seen_at: row.seen_at,
            stopped_at: null,
            clock_offset_ms: row.clock_offset_ms,
          }),
        )
        .execute();
    },

    async list() {
      const rows = await db.selectFrom('nodes').selectAll().orderBy('started_at').orderBy('id').execute();
      return rows.map(toNode);
    },

    async markStopped(id, at) {
      await db.updateTable('nodes').set({ stopped_at: at, seen_at: at }).where('id', '=', id).execute();
    },

    async deleteSeenBefore(before) {
      const result = await db.deleteFrom('nodes').where('seen_at', '<', before).executeTakeFirst();
      return affected(result.numDeletedRows);
    },
  };
}
