import { notFound, TaskwardenError } from '../core/errors.ts';
import { isGlobalOrg } from '../core/global-tasks.ts';
import type { Org, Store, User } from '../core/ports/store.ts';
import type { Principal } from './auth.ts';

/**
 * Org scoping, the same for every resource:
 * - a user acts on its own org; naming another org (`?org=`) or another org's record
 *   answers 404, exactly as if it did not exist (never 403, which would confirm it does);
 * - the global admin acts on any org: it names one with `?org=<id or name>` where one is
 *   needed (creating a task, an org command…); lists without `?org=` span every org.
 */
export function isGlobalAdmin(principal: Principal): boolean {
  return principal.user.role === 'admin';
}

export async function findOrg(store: Store, ref: string): Promise<Org> {
  const org = (await store.orgs.get(ref)) ?? (await store.orgs.getByName(ref));
  // The global tasks' reserved org is named only by the task routes (server/global-tasks.ts).
  if (!org || isGlobalOrg(org.id)) throw notFound('org', ref);
  return org;
}

/** The org a write acts on. */
export async function targetOrg(store: Store, principal: Principal, ref: string | undefined): Promise<string> {
  const scope = await listScope(store, principal, ref);
  if (scope === undefined) {
    throw new TaskwardenError('invalid_input', 'org: a global admin must name the org (?org=<id or name>)', {
      field: 'org',
    });
  }
  return scope;
}

/** The org a read is limited to; undefined = every org (global admin without `?org=`). */
export async function listScope(
  store: Store,
  principal: Principal,
  ref: string | undefined,
): Promise<string | undefined> {
  if (isGlobalAdmin(principal)) return ref === undefined ? undefined : (await findOrg(store, ref)).id;
  const own = principal.user.orgId as string;
  if (ref !== undefined && ref !== own) {
    const org = await store.orgs.getByName(ref);
    if (org?.id !== own) throw notFound('org', ref);
  }
  return own;
}

/** Whether the caller may see a record of `orgId` (null = global, visible to everyone). */
export function canSee(principal: Principal, orgId: string | null): boolean {
  return orgId === null || isGlobalAdmin(principal) || principal.user.orgId === orgId;
}

/** Returns the record if the caller may see it; a missing record and another org's look the same. */
export function visible<T extends { orgId: string | null }>(
  principal: Principal,
  record: T | null,
  what: string,
  id: string,
): T {
  if (!record || !canSee(principal, record.orgId)) throw notFound(what, id);
  return record;
}

/**
 * A user the caller may manage: the global admin any user, an org-admin the users of its
 * org, anyone himself when `allowSelf` (his own tokens). Another org's user is 404; a user
 * of the same org the caller may only see is 403.
 */
export function manageableUser(
  principal: Principal,
  user: User | null,
  opts: { allowSelf: boolean; missing: () => TaskwardenError },
): User {
  if (user && isGlobalAdmin(principal)) return user;
  if (!user || user.orgId === null || user.orgId !== principal.user.orgId) throw opts.missing();
  if (opts.allowSelf && user.id === principal.user.id) return user;
  if (principal.user.role !== 'org-admin') {
    throw new TaskwardenError('forbidden', `managing user ${user.name} needs the org-admin role`);
  }
  return user;
}
