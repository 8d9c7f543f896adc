import { renderInvocation } from '../core/catalog.ts';
import { fieldPath, ValidationError } from '../core/errors.ts';
import type { TaskDef } from '../core/model.ts';
import type { Store } from '../core/ports/store.ts';

/** The module whose jobs name catalog commands. */
const COMMAND_MODULE = 'command';

/**
 * Checks, when a task is saved, that each `command` job names a command of the org's (or
 * the global) catalog, with arguments its params schema accepts, on a side it may run on.
 * The job checks again when it runs (the catalog may change); this makes a typo fail at
 * save time with the field named, instead of at 2 a.m.
 */
export async function checkCatalogReferences(store: Store, orgId: string, def: TaskDef): Promise<void> {
  for (const [i, job] of def.jobs.entries()) {
    if (job.module !== COMMAND_MODULE) continue;
    const at = fieldPath('jobs', i);
    const params = fieldPath(at, 'params');
    const { command: name, args } = job.params as { command: string; args?: unknown };
    const command = await store.commands.resolve(orgId, name);
    if (!command) throw new ValidationError(fieldPath(params, 'command'), `"${name}" is not in the command catalog`);
    renderInvocation(command, args, fieldPath(params, 'args'));
    const onServer = 'server' in job.targets;
    if (onServer && command.runsOn === 'agent') {
      throw new ValidationError(fieldPath(at, 'targets'), `command "${name}" runs on agents only`);
    }
    if (!onServer && command.runsOn === 'server') {
      throw new ValidationError(fieldPath(at, 'targets'), `command "${name}" runs on the server only`);
    }
  }
}
