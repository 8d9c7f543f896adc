import { defineModule } from '../sdk/index.ts';
import { runInventory } from './agent.ts';
import { inventoryFusionInventory } from './fusioninventory.ts';
import { type InventoryParams, inventoryParamsSchema } from './schema.ts';
import { acceptInventory, summarizeInventory } from './server.ts';

/**
 * `inventory`: each target agent reports its hardware and system (hostname, OS, CPU,
 * memory, disks, network interfaces); the server keeps the latest per agent with a history
 * of what changed between two reports.
 */
export const inventoryModule = defineModule<InventoryParams>({
  name: 'inventory',
  title: 'Inventory',
  icon: '🖥',
  description: "Collects each agent's hardware and system inventory and records what changed.",
  runsOn: 'agent',
  paramsSchema: inventoryParamsSchema,
  accept: acceptInventory,
  agent: { run: runInventory },
  summarize: summarizeInventory,
  fusionInventory: inventoryFusionInventory,
});

export default inventoryModule;
