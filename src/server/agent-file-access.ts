import type { Agent } from '../core/model.ts';
import type { ModuleRegistry } from '../core/ports/module.ts';
import type { Store } from '../core/ports/store.ts';

/** Far more jobs than an agent runs at once (its slots are capped at 100). */
const RUNNING_MAX = 1000;
/** Versions of one package looked at. */
const VERSIONS_MAX = 1000;

/**
 * Whether an agent may download a package file: only while one of its own running jobs
 * names a package of its org with that content (its module's `packageOf`: deploy's package). Any version of the package counts:
 * "the latest" may change between the claim that told the agent the hash and the download.
 * An agent credential alone reads nothing else of the org's packages.
 */
export async function mayFetchFile(
  deps: { store: Store; modules: ModuleRegistry },
  agent: Pick<Agent, 'id' | 'orgId'>,
  sha256: string,
): Promise<boolean> {
  const { store } = deps;
  const running = await store.jobstates.listForAgent(agent.id, { statuses: ['running'], runner: 'agent' }, RUNNING_MAX);
  const names = new Set(running.map((js) => deps.modules.get(js.module)?.packageOf?.(js.params) ?? null));
  for (const name of names) {
    if (typeof name !== 'string') continue;
    const versions = await store.packages.list({ orgId: agent.orgId, name }, { limit: VERSIONS_MAX });
    if (versions.items.some((pkg) => pkg.sha256 === sha256)) return true;
  }
  return false;
}
