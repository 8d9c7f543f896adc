import type { ModuleServices } from '../core/ports/module.ts';
import type { Store } from '../core/ports/store.ts';

/** What the server lends to modules, built over the store (modules never see the Store itself). */
export function createModuleServices(store: Store): ModuleServices {
  return {
    commands: { resolve: (orgId, name) => store.commands.resolve(orgId, name) },
    retention: {
      pruneRuns: (before, limit) => store.runs.deleteFinishedBefore(before, limit),
      pruneLogs: (before, limit) => store.logs.deleteBefore(before, limit),
    },
  };
}
