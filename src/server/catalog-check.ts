import { renderInvocation } from '../core/catalog.ts';
import { fieldPath, TaskwardenError, ValidationError } from '../core/errors.ts';
import type { TaskDef } from '../core/model.ts';
import type { CatalogCommand, Store } from '../core/ports/store.ts';

/** The module whose jobs name catalog commands. */
const COMMAND_MODULE = 'command';

/** The catalog reads the check makes: the store's, or those of `requestCommands`. */
export type CommandLookups = Pick<Store['commands'], 'resolve' | 'resolveForServer'>;

/**
 * `commands`' lookups, each remembered for the rest of one request: a batch whose items
 * name the same command reads it once, not once per item.
 */
export function requestCommands(commands: CommandLookups): CommandLookups {
  return sharedLookups(commands, { forgetWhenRead: false });
}

/**
 * `commands`' lookups, where one asked while a read of the same entry is on its way shares
 * that read: the contacts of one claim batch prepare their jobs at once, and each read the
 * same command. Nothing is kept once read, so a catalog change applies to the next lookup.
 */
export function concurrentCommands(commands: CommandLookups): CommandLookups {
  return sharedLookups(commands, { forgetWhenRead: true });
}

function sharedLookups(commands: CommandLookups, { forgetWhenRead }: { forgetWhenRead: boolean }): CommandLookups {
  const reads = new Map<string, Promise<CatalogCommand | null>>();
  const shared = (key: string, read: () => Promise<CatalogCommand | null>) => {
    let found = reads.get(key);
    if (!found) {
      found = read();
      reads.set(key, found);
      if (forgetWhenRead) void found.finally(() => reads.delete(key)).catch(() => {});
    }
    return found;
  };
  return {
    resolve: (orgId, name) => shared(`resolve\0${orgId}\0${name}`, () => commands.resolve(orgId, name)),
    resolveForServer: (orgId, name) =>
      shared(`server\0${orgId}\0${name}`, () => commands.resolveForServer(orgId, name)),
  };
}

/**
 * Checks, when a task is saved, that each `command` job names a command of the org's (or
 * the global) catalog, with arguments its params schema accepts, on a side it may run on.
 * On the server that is only a command the global admin defined for it (store
 * `resolveForServer`): an org's own entry of that name is never run there. The job checks
 * again when it runs (the catalog may change); this makes a typo fail at save time with
 * the field named, instead of at 2 a.m.
 */
export async function checkCatalogReferences(commands: CommandLookups, orgId: string, def: TaskDef): Promise<void> {
  for (const [i, job] of def.jobs.entries()) {
    if (job.module !== COMMAND_MODULE) continue;
    const at = fieldPath('jobs', i);
    const params = fieldPath(at, 'params');
    const { command: name, args } = job.params as { command: string; args?: unknown };
    const onServer = 'server' in job.targets;
    const command = await commands.resolve(orgId, name);
    if (!command) throw new ValidationError(fieldPath(params, 'command'), `"${name}" is not in the command catalog`);
    const used = onServer ? await serverCommand(commands, orgId, command, fieldPath(at, 'targets'), params) : command;
    renderInvocation(used, args, fieldPath(params, 'args'));
    if (!onServer && command.runsOn === 'server') {
      throw new ValidationError(fieldPath(at, 'targets'), `command "${name}" runs on the server only`);
    }
  }
}

/** The command a server job of the org runs under that name; `found` is what the name resolves to otherwise. */
async function serverCommand(
  commands: CommandLookups,
  orgId: string,
  found: CatalogCommand,
  targetsField: string,
  paramsField: string,
): Promise<CatalogCommand> {
  const command = await commands.resolveForServer(orgId, found.name);
  if (command) return command;
  if (found.runsOn === 'agent') {
    throw new ValidationError(targetsField, `command "${found.name}" runs on agents only`);
  }
  const field = fieldPath(paramsField, 'command');
  throw new TaskwardenError(
    'global_admin_only',
    `${field}: command "${found.name}" is not a server command of the global admin; ` +
      'only commands the global admin defined run on the server (he may define it again for this org)',
    { field },
  );
}
