import type { OrgRepo } from '../../core/ports/store.ts';
import { pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { orgRow, toOrg } from './rows.ts';

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
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toOrg);
    },

    async settings(id) {
      const row = await db
        .selectFrom('orgs')
        .select(['extract_prefixes', 'package_quota', 'notify_defaults'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return null;
      return {
        extractPrefixes: JSON.parse(row.extract_prefixes),
        packageQuota: row.package_quota,
        notify: JSON.parse(row.notify_defaults),
      };
    },

    async updateSettings(id, patch) {
      const values = {
        ...(patch.extractPrefixes === undefined ? {} : { extract_prefixes: JSON.stringify(patch.extractPrefixes) }),
        ...(patch.packageQuota === undefined ? {} : { package_quota: patch.packageQuota }),
        ...(patch.notify === undefined ? {} : { notify_defaults: JSON.stringify(patch.notify) }),
      };
      if (Object.keys(values).length === 0) return;
      await db.updateTable('orgs').set(values).where('id', '=', id).execute();
    },
  };
}
