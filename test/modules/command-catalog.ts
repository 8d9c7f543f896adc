// Catalog commands as the store would return them, for driving the `command` module.
import { parseCatalogCommand } from '../../src/core/catalog.ts';
import { mayRunOnServer } from '../../src/core/catalog-authors.ts';
import type { ModuleServices } from '../../src/core/ports/module.ts';
import type { CatalogCommand } from '../../src/core/ports/store.ts';

/** A global entry as the global admin defines it; `over` makes it an org's, or an org-admin's (`definedByAdmin: false`). */
export function catalogEntry(input: Record<string, unknown>, over: Partial<CatalogCommand> = {}): CatalogCommand {
  const parsed = parseCatalogCommand(input, { globalAdmin: true });
  return { ...parsed, id: `cmd-${input['name']}`, orgId: null, createdAt: 0, updatedAt: 0, ...over };
}

/**
 * The `commands` service of one org over a fixed list, picking as the stores do (the server
 * side only what mayRunOnServer allows); records each lookup as [method, name].
 */
export function catalogService(entries: CatalogCommand[]) {
  const resolved: [string, string][] = [];
  const lookup = (method: string, pick: (c: CatalogCommand) => boolean) => async (name: string) => {
    resolved.push([method, name]);
    return entries.find((c) => c.name === name && pick(c)) ?? null;
  };
  const commands: ModuleServices['commands'] = {
    resolve: lookup('resolve', () => true),
    resolveForServer: lookup('resolveForServer', mayRunOnServer),
  };
  return { commands, resolved };
}
