import { type Clock, systemClock } from '../core/clock.ts';
import { newId } from '../core/ids.ts';
import type { Agent } from '../core/model.ts';
import type { FleetAgent, FleetServices, ModuleServices } from '../core/ports/module.ts';
import type { Store } from '../core/ports/store.ts';
import type { PackageFiles } from './package-files.ts';

/**
 * What the server lends to modules, built over the store (modules never see the Store
 * itself) and the package files' folder (none: there are no bytes to delete).
 */
export function createModuleServices(
  store: Store,
  clock: Clock = systemClock,
  packageFiles?: PackageFiles,
): ModuleServices {
  return {
    commands: { resolve: (orgId, name) => store.commands.resolve(orgId, name) },
    retention: {
      pruneRuns: (before, limit) => store.runs.deleteFinishedBefore(before, limit),
      pruneLogs: (before, limit) => store.logs.deleteBefore(before, limit),
    },
    fleet: fleetServices(store, clock),
    packages: {
      find: (orgId, name, version) => store.packages.find(orgId, name, version),
      extractPrefixes: async (orgId) => (await store.orgs.settings(orgId))?.extractPrefixes ?? [],
      pruneUnreferencedFiles: (orgId, before, limit) => store.packages.deleteUnreferencedFiles(orgId, before, limit),
      deleteOrphanFiles: async (before) =>
        packageFiles ? packageFiles.deleteOrphans(before, (sha256s) => store.packages.recordedFiles(sha256s)) : 0,
    },
  };
}

function fleetServices(store: Store, clock: Clock): FleetServices {
  const withInventory = async (agent: Agent): Promise<FleetAgent> => ({
    id: agent.id,
    name: agent.name,
    tags: agent.tags,
    inventory: (await store.inventories.get(agent.id))?.data ?? null,
  });
  return {
    async agent(orgId, agentId) {
      const agent = await store.agents.get(agentId);
      return agent && agent.orgId === orgId ? withInventory(agent) : null;
    },

    async agents(orgId, select) {
      const ids = await store.agents.resolveTargets(orgId, select);
      const agents = await Promise.all(ids.map((id) => store.agents.get(id)));
      return Promise.all(agents.filter((a): a is Agent => a !== null).map(withInventory));
    },

    saveInventory({ orgId, agentId, jobstateId, data }, diff) {
      return store.transaction(async (tx) => {
        const previous = await tx.inventories.get(agentId);
        const at = clock.now();
        const changes = diff(previous?.data ?? null);
        await tx.inventories.put({ agentId, orgId, data, collectedAt: at, jobstateId });
        if (changes.length > 0) {
          await tx.inventories.addHistory({ id: newId(), agentId, orgId, jobstateId, at, changes });
        }
        return { first: previous === null, changes };
      });
    },

    recordDevices: (orgId, sightings, jobstateId) => store.devices.record(orgId, sightings, clock.now(), jobstateId),
  };
}
