/**
 * A FusionInventory agent's inventory (QUERY=INVENTORY), stored as Taskwarden's own: each
 * `inventory` jobstate running for the agent ends with it through the engine's event path
 * (the inventory module's `accept` checks it, stores it and records what changed); with
 * none running (its first contact, or an agent run with --force) it is stored through the
 * same fleet service, with no jobstate. The module that keeps inventories reads it (its
 * FusionInventory hook's `inventory`); with none registered the message is dropped.
 */
import type { Clock } from '../../core/clock.ts';
import type { Agent } from '../../core/model.ts';
import type { ModuleRegistry, ModuleServicesFor } from '../../core/ports/module.ts';
import { hostOfDeviceId } from '../../modules/fusioninventory/ids.ts';
import type { AgentRequest } from '../../modules/fusioninventory/xml.ts';
import { type EventDeps, logEvent, refOf, reportUnlessEnded, runningJobs } from './events.ts';
import { timezoneOfInventory } from './timezone.ts';

export async function onInventory(
  deps: EventDeps & { clock: Clock; services: ModuleServicesFor; modules: ModuleRegistry },
  agent: Agent,
  request: AgentRequest,
): Promise<void> {
  const keeper = deps.modules.list().find((module) => module.fusionInventory?.inventory);
  const hook = keeper?.fusionInventory?.inventory;
  if (!keeper || !hook) return;
  const { data, summary } = hook.read({ content: request.content, host: hostOfDeviceId(request.deviceId) });
  const timezone = timezoneOfInventory(request.content);
  if (timezone !== null && timezone !== agent.timezone) await deps.store.agents.update(agent.id, { timezone });
  const waiting = await runningJobs(deps.store, agent.id, (name) => name === keeper.name);
  if (waiting.length === 0) {
    await deps
      .services(agent.orgId)
      .fleet.saveInventory({ agentId: agent.id, jobstateId: null, data }, (previous) =>
        previous === null ? [] : hook.diff(previous, data),
      );
    return;
  }
  const now = deps.clock.now();
  for (const js of waiting) {
    const events = [logEvent(summary, now), { type: 'finished', result: data, ts: now } as const];
    await reportUnlessEnded(deps, agent.id, refOf(js), events);
  }
}
