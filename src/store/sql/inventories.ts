import type { Selectable } from 'kysely';
import type { AgentInventory, InventoryHistoryEntry, InventoryRepo } from '../../core/ports/fleet.ts';
import { pageWindow, type SqlContext, toPage, writing } from './context.ts';
import type { AgentInventoryTable, InventoryHistoryTable } from './fleet-schema.ts';

export function inventoryRepo(ctx: SqlContext): InventoryRepo {
  const { db } = ctx;
  return {
    async get(agentId) {
      const row = await db
        .selectFrom('agent_inventories')
        .selectAll()
        .where('agent_id', '=', agentId)
        .executeTakeFirst();
      return row ? toInventory(row) : null;
    },

    async put(inventory) {
      const row = inventoryRow(inventory);
      await writing(ctx, `inventory of agent ${inventory.agentId}`, () =>
        db
          .insertInto('agent_inventories')
          .values(row)
          .onConflict((oc) =>
            oc.column('agent_id').doUpdateSet({
              data: row.data,
              collected_at: row.collected_at,
              jobstate_id: row.jobstate_id,
            }),
          )
          .execute(),
      );
    },

    async addHistory(entry) {
      await writing(ctx, `inventory history entry ${entry.id}`, () =>
        db.insertInto('inventory_history').values(historyRow(entry)).execute(),
      );
    },

    async listHistory(agentId, page) {
      const { after, limit } = pageWindow(page);
      const rows = await db
        .selectFrom('inventory_history')
        .selectAll()
        .where('agent_id', '=', agentId)
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toHistoryEntry);
    },
  };
}

const inventoryRow = (inventory: AgentInventory): AgentInventoryTable => ({
  agent_id: inventory.agentId,
  org_id: inventory.orgId,
  data: JSON.stringify(inventory.data),
  collected_at: inventory.collectedAt,
  jobstate_id: inventory.jobstateId,
});

const toInventory = (row: Selectable<AgentInventoryTable>): AgentInventory => ({
  agentId: row.agent_id,
  orgId: row.org_id,
  data: JSON.parse(row.data),
  collectedAt: row.collected_at,
  jobstateId: row.jobstate_id,
});

const historyRow = (entry: InventoryHistoryEntry): InventoryHistoryTable => ({
  id: entry.id,
  agent_id: entry.agentId,
  org_id: entry.orgId,
  jobstate_id: entry.jobstateId,
  at: entry.at,
  changes: JSON.stringify(entry.changes),
});

const toHistoryEntry = (row: Selectable<InventoryHistoryTable>): InventoryHistoryEntry => ({
  id: row.id,
  agentId: row.agent_id,
  orgId: row.org_id,
  jobstateId: row.jobstate_id,
  at: row.at,
  changes: JSON.parse(row.changes),
});
