import { type Clock, systemClock } from '../core/clock.ts';
import { notFound } from '../core/errors.ts';
import { GLOBAL_ORG_ID, isGlobalOrg } from '../core/global-tasks.ts';
import { newId } from '../core/ids.ts';
import type { Agent } from '../core/model.ts';
import type {
  FleetAgent,
  FleetServices,
  ModuleServices,
  ModuleServicesFor,
  StoreBackups,
} from '../core/ports/module.ts';
import type { Store, StoreSession } from '../core/ports/store.ts';
import { type CommandLookups, concurrentCommands } from './catalog-check.ts';
import type { PackageFiles } from './package-files.ts';

/**
 * What the server lends to modules, built over the store (modules never see the Store
 * itself) and the package files' folder (none: there are no bytes to delete), bound to one
 * org: each query below is limited to `orgId`, by the query itself or, for a row read by its
 * id, by checking the row's org (another org's row reads as missing). The global tasks'
 * reserved org is the one exception (globalServices below): their work spans every org.
 */
export function createModuleServices(
  store: Store,
  lent: { clock?: Clock; packageFiles?: PackageFiles; backups?: StoreBackups } = {},
): ModuleServicesFor {
  const { clock = systemClock, packageFiles, backups } = lent;
  const commands = concurrentCommands(store.commands);
  // Built once per org: they hold nothing but the org's id, and every job asks (a fleet's
  // contacts, one prepare each). Frozen, so a module cannot change what the next job gets.
  const byOrg = new Map<string, ModuleServices>();
  return (orgId): ModuleServices => {
    let services = byOrg.get(orgId);
    if (!services) {
      const own = orgServices({ store, commands, clock, orgId, packageFiles });
      services = frozen(isGlobalOrg(orgId) ? { ...own, ...globalServices(store, own, backups) } : own);
      byOrg.set(orgId, services);
    }
    return services;
  };
}

/** `services` and each of its groups frozen. */
function frozen(services: ModuleServices): ModuleServices {
  for (const group of Object.values(services)) Object.freeze(group);
  return Object.freeze(services);
}

/** What an org's services are built over: its org, and the catalog's lookups shared by concurrent jobs. */
interface OrgServicesContext {
  store: Store;
  commands: CommandLookups;
  clock: Clock;
  orgId: string;
  packageFiles?: PackageFiles | undefined;
}

function orgServices({ store, commands, clock, orgId, packageFiles }: OrgServicesContext): ModuleServices {
  return {
    commands: {
      resolve: (name) => commands.resolve(orgId, name),
      resolveForServer: (name) => commands.resolveForServer(orgId, name),
    },
    retention: {
      pruneRuns: (before, limit) => store.runs.deleteFinishedBefore(orgId, before, limit),
      pruneLogs: (before, limit) => store.logs.deleteBefore(orgId, before, limit),
    },
    fleet: fleetServices(store, clock, orgId),
    ledger: {
      async ofTarget(target) {
        const entries = [];
        let after: string | undefined;
        do {
          const page = await store.ledger.list({ orgId, target }, { after, limit: 1000 });
          entries.push(...page.items);
          after = page.next ?? undefined;
        } while (after !== undefined);
        return entries;
      },
    },
    packages: {
      find: (name, version) => store.packages.find(orgId, name, version),
      extractPrefixes: async () => (await store.orgs.settings(orgId))?.extractPrefixes ?? [],
      pruneUnreferencedFiles: (before, limit) => store.packages.deleteUnreferencedFiles(orgId, before, limit),
      deleteOrphanFiles: async (before) =>
        packageFiles ? packageFiles.deleteOrphans(before, (sha256s) => store.packages.recordedFiles(sha256s)) : 0,
    },
  };
}

/**
 * A global task's job works over the whole installation: retention prunes every org's
 * runs, logs and unused package files (each org's up to the chunk's limit, in turn), and
 * it alone gets the store's backup.
 */
function globalServices(store: Store, own: ModuleServices, backups: StoreBackups | undefined): Partial<ModuleServices> {
  const overEveryOrg = async (limit: number, prune: (orgId: string, limit: number) => Promise<number>) => {
    let deleted = await prune(GLOBAL_ORG_ID, limit);
    let after: string | undefined;
    while (deleted < limit) {
      const page = await store.orgs.list({ after, limit: 100 });
      for (const org of page.items) {
        deleted += await prune(org.id, limit - deleted);
        if (deleted >= limit) break;
      }
      if (page.next === null) break;
      after = page.next;
    }
    return deleted;
  };
  return {
    retention: {
      pruneRuns: (before, limit) =>
        overEveryOrg(limit, (orgId, left) => store.runs.deleteFinishedBefore(orgId, before, left)),
      pruneLogs: (before, limit) => overEveryOrg(limit, (orgId, left) => store.logs.deleteBefore(orgId, before, left)),
    },
    packages: {
      ...own.packages,
      pruneUnreferencedFiles: (before, limit) =>
        overEveryOrg(limit, (orgId, left) => store.packages.deleteUnreferencedFiles(orgId, before, left)),
    },
    backup: backups,
  };
}

function fleetServices(store: Store, clock: Clock, orgId: string): FleetServices {
  const ownAgent = async (session: StoreSession, agentId: string): Promise<Agent | null> => {
    const agent = await session.agents.get(agentId);
    return agent?.orgId === orgId ? agent : null;
  };
  // Only called with an agent of the org: its inventory is the org's.
  const withInventory = async (agent: Agent): Promise<FleetAgent> => ({
    id: agent.id,
    name: agent.name,
    tags: agent.tags,
    inventory: (await store.inventories.get(agent.id))?.data ?? null,
  });
  return {
    async agent(agentId) {
      const agent = await ownAgent(store, agentId);
      return agent && withInventory(agent);
    },

    async agents(select) {
      const ids = await store.agents.resolveTargets(orgId, select);
      const agents = await Promise.all(ids.map((id) => ownAgent(store, id)));
      return Promise.all(agents.filter((a): a is Agent => a !== null).map(withInventory));
    },

    saveInventory({ agentId, jobstateId, data }, diff) {
      return store.transaction(async (tx) => {
        if (!(await ownAgent(tx, agentId))) throw notFound('agent', agentId);
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

    recordDevices: (sightings, jobstateId) => store.devices.record(orgId, sightings, clock.now(), jobstateId),
  };
}
