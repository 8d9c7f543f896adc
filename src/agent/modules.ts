import type { ModuleRegistry } from '../core/ports/module.ts';
import { loadModules, type ModuleList } from '../modules/load.ts';
import { createModuleRegistry } from '../modules/sdk/index.ts';

/** The modules this agent can run: those with an agent half, built-in or from the list (`--modules`). */
export async function agentModules(list?: ModuleList): Promise<ModuleRegistry> {
  const modules = await loadModules(list ? { list } : {});
  return createModuleRegistry(modules.filter((m) => m.agent !== undefined));
}
