// Catalog commands as the store would return them, for driving the `command` module.
import { parseCatalogCommand } from '../../src/core/catalog.ts';
import type { ModuleServices } from '../../src/core/ports/module.ts';
import type { CatalogCommand } from '../../src/core/ports/store.ts';

export function catalogEntry(input: Record<string, unknown>): CatalogCommand {
  return { ...parseCatalogCommand(input), id: `cmd-${input['name']}`, orgId: null, createdAt: 0, updatedAt: 0 };
}

/** The `commands` service over a fixed list; records which (org, name) pairs were resolved. */
export function catalogService(entries: CatalogCommand[]) {
  const resolved: [string, string][] = [];
  const commands: ModuleServices['commands'] = {
    resolve: async (orgId, name) => {
      resolved.push([orgId, name]);
      return entries.find((c) => c.name === name) ?? null;
    },
  };
  return { commands, resolved };
}
