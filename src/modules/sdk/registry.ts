import type { ModuleDefinition, ModuleRegistry } from '../../core/ports/module.ts';

/** The set of modules a server knows, by name. */
export function createModuleRegistry(modules: ModuleDefinition[]): ModuleRegistry {
  const byName = new Map<string, ModuleDefinition>();
  for (const module of modules) {
    if (byName.has(module.name)) throw new TypeError(`module ${module.name} is registered twice`);
    byName.set(module.name, module);
  }
  return {
    get: (name) => byName.get(name),
    list: () => [...byName.values()],
  };
}
