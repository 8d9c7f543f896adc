/** Agent half of `inventory`: collects this machine's inventory and reports it as the result. */
import type { AgentJobContext, AgentOutcome } from '../sdk/index.ts';
import { collectInventory } from './collect.ts';
import type { InventoryParams } from './schema.ts';

export async function runInventory(ctx: AgentJobContext<InventoryParams>): Promise<AgentOutcome> {
  const inventory = await collectInventory(ctx.signal);
  ctx.log(
    `${inventory.hostname}: ${inventory.os.name} ${inventory.os.version}, ${inventory.cpu.cores} cores, ` +
      `${inventory.disks.length} disks, ${inventory.interfaces.length} network interfaces`,
  );
  return { ok: true, result: inventory };
}
