import type { ModuleRegistry } from '../core/ports/module.ts';
import { builtinModules } from '../modules/builtin.ts';
import { createModuleRegistry } from '../modules/sdk.ts';

/** The modules this agent can run: the built-in ones that have an agent half. */
export function agentModules(): ModuleRegistry {
  return createModuleRegistry(builtinModules().filter((m) => m.agent !== undefined));
}
