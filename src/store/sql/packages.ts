import type { Selectable } from 'kysely';
import type { PackageFile, PackageRecord, PackageRepo } from '../../core/ports/fleet.ts';
import { affected, pageWindow, type SqlContext, toPage, writing } from './context.ts';
import type { PackageFileTable, PackageTable } from './fleet-schema.ts';

export function packageRepo(ctx: SqlContext): PackageRepo {
  const { db } = ctx;
  return {
    async addFile(file) {
      const result = await writing(ctx, `package file ${file.sha256}`, () =>
        db
          .insertInto('package_files')
          .values({ org_id: file.orgId, sha256: file.sha256, size: file.size, created_at: file.createdAt })
          .onConflict((oc) => oc.columns(['org_id', 'sha256']).doNothing())
          .executeTakeFirst(),
      );
      return affected(result.numInsertedOrUpdatedRows) > 0;
    },

    async getFile(orgId, sha256) {
      const row = await db
        .selectFrom('package_files')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      return row ? toFile(row) : null;
    },

    async create(pkg) {
      await writing(ctx, `package "${pkg.name}" version "${pkg.version}"`, () =>
        db.insertInto('packages').values(packageRow(pkg)).execute(),
      );
      return pkg;
    },

    async get(id) {
      const row = await db.selectFrom('packages').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toPackage(row) : null;
    },

    /** Ids are UUIDv7: the greatest is the most recently created version. */
    async find(orgId, name, version) {
      const row = await db
        .selectFrom('packages')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('name', '=', name)
        .$if(version !== undefined, (q) => q.where('version', '=', version as string))
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toPackage(row) : null;
    },

    async list(filter, page) {
      const { after, limit } = pageWindow(page);
      const rows = await db
        .selectFrom('packages')
        .selectAll()
        .$if(filter.orgId !== undefined, (q) => q.where('org_id', '=', filter.orgId as string))
        .$if(filter.name !== undefined, (q) => q.where('name', '=', filter.name as string))
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toPackage);
    },

    async delete(id) {
      await db.deleteFrom('packages').where('id', '=', id).execute();
    },
  };
}

const toFile = (row: Selectable<PackageFileTable>): PackageFile => ({
  orgId: row.org_id,
  sha256: row.sha256,
  size: row.size,
  createdAt: row.created_at,
});

const packageRow = (pkg: PackageRecord): PackageTable => ({
  id: pkg.id,
  org_id: pkg.orgId,
  name: pkg.name,
  version: pkg.version,
  sha256: pkg.sha256,
  size: pkg.size,
  manifest: JSON.stringify(pkg.manifest),
  created_at: pkg.createdAt,
  created_by: pkg.createdBy,
});

const toPackage = (row: Selectable<PackageTable>): PackageRecord => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  version: row.version,
  sha256: row.sha256,
  size: row.size,
  manifest: JSON.parse(row.manifest),
  createdAt: row.created_at,
  createdBy: row.created_by,
});
