/**
 * A FusionInventory agent's inventory (QUERY=INVENTORY), stored as Taskwarden's own: each
 * `inventory` jobstate running for the agent ends with it through the engine's event path
 * (the inventory module's `accept` checks it, stores it and records what changed); with
 * none running (its first contact, or an agent run with --force) it is stored through the
 * same fleet service, with no jobstate.
 */
import type { Clock } from '../../core/clock.ts';
import { compileSchemaOnFirstUse } from '../../core/json-schema.ts';
import type { Agent } from '../../core/model.ts';
import type { ModuleServicesFor } from '../../core/ports/module.ts';
import { inventoryFromContent } from '../../modules/fusioninventory/inventory.ts';
import type { AgentRequest } from '../../modules/fusioninventory/xml.ts';
import { diffInventory } from '../../modules/inventory/diff.ts';
import { type Inventory, inventorySchema } from '../../modules/inventory/schema.ts';
import { type EventDeps, logEvent, refOf, reportUnlessEnded, runningJobs } from './events.ts';
import { timezoneOfInventory } from './timezone.ts';

const checkInventory = compileSchemaOnFirstUse(inventorySchema, { useDefaults: false });

export async function onInventory(
  deps: EventDeps & { clock: Clock; services: ModuleServicesFor },
  agent: Agent,
  request: AgentRequest,
): Promise<void> {
  const inventory = checkInventory(inventoryFromContent(request.content, request.deviceId), 'CONTENT') as Inventory;
  const timezone = timezoneOfInventory(request.content);
  if (timezone !== null && timezone !== agent.timezone) await deps.store.agents.update(agent.id, { timezone });
  const waiting = await runningJobs(deps.store, agent.id, 'inventory');
  if (waiting.length === 0) {
    const data = { ...inventory };
    await deps
      .services(agent.orgId)
      .fleet.saveInventory({ agentId: agent.id, jobstateId: null, data }, (previous) =>
        previous === null ? [] : diffInventory(previous, data),
      );
    return;
  }
  const now = deps.clock.now();
  const summary =
    `inventory received: ${inventory.hostname}, ${inventory.os.name} ${inventory.os.version}, ` +
    `${inventory.cpu.cores} cores, ${inventory.disks.length} disks, ${inventory.interfaces.length} network interfaces`;
  for (const js of waiting) {
    const events = [logEvent(summary, now), { type: 'finished', result: inventory, ts: now } as const];
    await reportUnlessEnded(deps, agent.id, refOf(js), events);
  }
}
