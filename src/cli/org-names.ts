import type { TaskwardenClient } from '../client/api.ts';

/**
 * Names the orgs of listed rows, so a listing says which org each row is in (a global
 * admin's spans them all): one request per distinct org; `(global)` for rows of none.
 */
export async function orgNames(
  client: TaskwardenClient,
  orgIds: readonly (string | null)[],
): Promise<(orgId: string | null) => string> {
  const names = new Map<string, string>();
  for (const id of new Set(orgIds)) {
    if (id === null) continue;
    names.set(
      id,
      await client.getOrg(id).then(
        (org) => org.name,
        () => id,
      ),
    );
  }
  return (orgId) => (orgId === null ? '(global)' : (names.get(orgId) ?? orgId));
}
