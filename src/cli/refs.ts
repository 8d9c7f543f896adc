import type { TaskwardenClient } from '../client/api.ts';
import { TaskwardenError, ValidationError } from '../core/errors.ts';

/**
 * Names wherever ids are: an agent by id or name, a run by id or as `TASK last` (the
 * newest run of that task; `last` alone: the newest run of all). A name two records share
 * is refused with their ids, never guessed.
 */
export async function agentIdOf(client: TaskwardenClient, ref: string): Promise<string> {
  const agents = await client.listAgents();
  if (agents.some((a) => a.id === ref)) return ref;
  const named = agents.filter((a) => a.name === ref);
  if (named.length === 1) return (named[0] as { id: string }).id;
  if (named.length === 0) throw new TaskwardenError('not_found', `no agent with the id or name "${ref}"`);
  throw new ValidationError(
    'agent',
    `several agents are named "${ref}" (${named.map((a) => a.id).join(', ')}): give the id`,
  );
}

/** A name the org has no record of: exit code 3, like an id the server does not know. */
export function noneNamed(what: string, name: string): TaskwardenError {
  return new TaskwardenError('not_found', `no ${what} named "${name}"`);
}

/** A user by id or name: the caller himself, or a user of the org named (or the caller's). */
export async function userIdOf(client: TaskwardenClient, ref: string): Promise<string> {
  const me = await client.me();
  if (ref === me.id || ref === me.name) return me.id;
  const org = client.org ?? me.orgId;
  if (org === null) return ref;
  // Listing users is the org-admin's: for anyone else the id is taken as given.
  const users = await client.listUsers(org).catch(() => []);
  return users.find((u) => u.id === ref)?.id ?? users.find((u) => u.name === ref)?.id ?? ref;
}

export async function runIdOf(client: TaskwardenClient, ref: string, which: string | undefined): Promise<string> {
  if (which === undefined && ref !== 'last') return ref;
  if (which !== undefined && which !== 'last') {
    throw new ValidationError('run', `"${ref} ${which}": name a run by its id, or as TASK last`);
  }
  let task: string | undefined;
  if (which !== undefined) {
    const found = await client.findTask(ref);
    if (!found) throw noneNamed('task', ref);
    task = found.id;
  }
  const [newest] = (await client.listRuns({ task, limit: 1 })).items;
  if (!newest) throw new TaskwardenError('not_found', task ? `task "${ref}" has no run yet` : 'no run yet');
  return newest.id;
}
