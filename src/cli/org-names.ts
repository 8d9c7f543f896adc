import type { TaskwardenClient } from '../client/api.ts';
import { isGlobalOrg } from '../core/global-tasks.ts';

/**
 * Names for the ids of listed rows, one request per distinct id; an id whose record is gone
 * (a deleted task) or hidden shows as itself, so a listing never fails for want of a name.
 */
async function namesOf(
  ids: readonly (string | null)[],
  fetchName: (id: string) => Promise<string>,
): Promise<(id: string) => string> {
  const names = new Map<string, string>();
  for (const id of new Set(ids)) {
    if (id === null) continue;
    names.set(id, await fetchName(id).catch(() => id));
  }
  return (id) => names.get(id) ?? id;
}

/** Names the orgs of listed rows, so a listing says which org each row is in (a global admin's spans them all); `(global)` for rows of none. */
export async function orgNames(
  client: TaskwardenClient,
  orgIds: readonly (string | null)[],
): Promise<(orgId: string | null) => string> {
  const name = await namesOf(
    orgIds.filter((id) => !isGlobalOrg(id)),
    async (id) => (await client.getOrg(id)).name,
  );
  // A global task's org is the reserved one (core/global-tasks.ts), shown as global records are.
  return (orgId) => (orgId === null || isGlobalOrg(orgId) ? '(global)' : name(orgId));
}

/** Names the tasks of listed runs. */
export function taskNames(client: TaskwardenClient, taskIds: readonly string[]): Promise<(taskId: string) => string> {
  return namesOf(taskIds, async (id) => (await client.getTask(id)).name);
}

/** Names the agents of listed jobstates; `server` for work the server does itself. */
export async function agentNames(
  client: TaskwardenClient,
  agentIds: readonly (string | null)[],
): Promise<(agentId: string | null) => string> {
  const name = await namesOf(agentIds, async (id) => (await client.getAgent(id)).name);
  return (agentId) => (agentId === null ? 'server' : name(agentId));
}
