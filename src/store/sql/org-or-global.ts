import type { Kysely, Selectable } from 'kysely';
import type { Page, Paged } from '../../core/ports/store.ts';
import { pageWindow, toPage } from './context.ts';
import { commandOrgKey } from './rows.ts';
import type { Database } from './schema.ts';

/** Records an org owns, or the global admin defines for every org (org_key '' = global). */
type OrgOrGlobalTable = 'channels' | 'calendars' | 'commands';

/** The org_keys of what an org may use: its own and the global ones; null: the global ones only. */
export function usableOrgKeys(orgId: string | null): string[] {
  return orgId === null ? [commandOrgKey(null)] : [commandOrgKey(orgId), commandOrgKey(null)];
}

/** A page of the org's records and the global ones (null: the global ones only), in id order. */
export async function listOrgOrGlobal<T extends OrgOrGlobalTable, R>(
  db: Kysely<Database>,
  at: { table: T; orgId: string | null; page: Page },
  map: (row: Selectable<Database[T]>) => R,
): Promise<Paged<R>> {
  const { after, limit } = pageWindow(at.page);
  const rows = await db
    .selectFrom(at.table as OrgOrGlobalTable)
    .selectAll()
    .where('org_key', 'in', usableOrgKeys(at.orgId))
    .$if(after !== undefined, (q) => q.where('id', '>', after as string))
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  return toPage(rows as Selectable<Database[T]>[], limit, (row) => (row as { id: string }).id, map);
}
