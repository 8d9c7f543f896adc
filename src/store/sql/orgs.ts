import { GLOBAL_ORG_ID } from '../../core/global-tasks.ts';
import type { OrgRepo } from '../../core/ports/store.ts';
import { type Slots, Statement } from './compiled.ts';
import { pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { orgRow, toOrg } from './rows.ts';

/** An org's settings: read by every transaction that ends a run (its notification rules), compiled once. */
const orgSettings = new Statement((db, p: Slots<{ id: string }>) =>
  db
    .selectFrom('orgs')
    .select(['extract_prefixes', 'package_quota', 'notify_defaults', 'show_global_tasks'])
    .where('id', '=', p('id')),
);

export function orgRepo(ctx: SqlContext): OrgRepo {
  const { db } = ctx;
  return {
    async create(org) {
      await writing(
        ctx,
        `org "${org.name}"`,
        () => db.insertInto('orgs').values(orgRow(org)).execute(),
        'org_name_taken',
      );
      return org;
    },

    async get(id) {
      const row = await db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toOrg(row) : null;
    },

    async getByName(name) {
      const row = await db.selectFrom('orgs').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toOrg(row) : null;
    },

    async list(page) {
      const { after, limit } = pageWindow(page);
      const rows = await db
        .selectFrom('orgs')
        .selectAll()
        // The reserved org of the global tasks is no org anyone manages.
        .where('id', '!=', GLOBAL_ORG_ID)
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toOrg);
    },

    async settings(id) {
      const row = await orgSettings.first(ctx, { id });
      if (!row) return null;
      return {
        extractPrefixes: JSON.parse(row.extract_prefixes),
        packageQuota: row.package_quota,
        notify: JSON.parse(row.notify_defaults),
        showGlobalTasks: row.show_global_tasks === 1,
      };
    },

    async updateSettings(id, patch) {
      const values = {
        ...(patch.extractPrefixes === undefined ? {} : { extract_prefixes: JSON.stringify(patch.extractPrefixes) }),
        ...(patch.packageQuota === undefined ? {} : { package_quota: patch.packageQuota }),
        ...(patch.notify === undefined ? {} : { notify_defaults: JSON.stringify(patch.notify) }),
        ...(patch.showGlobalTasks === undefined ? {} : { show_global_tasks: patch.showGlobalTasks ? 1 : 0 }),
      };
      if (Object.keys(values).length === 0) return;
      await db.updateTable('orgs').set(values).where('id', '=', id).execute();
    },

    async markSeeded(name, at) {
      const inserted = await db
        .insertInto('seeded_defaults')
        .values({ name, seeded_at: at })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async seeded(name) {
      const row = await db.selectFrom('seeded_defaults').select('name').where('name', '=', name).executeTakeFirst();
      return row !== undefined;
    },
  };
}
