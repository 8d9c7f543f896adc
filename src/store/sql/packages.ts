import type { Kysely, Selectable } from 'kysely';
import type { AddFileOutcome, PackageFile, PackageRecord, PackageRepo } from '../../core/ports/fleet.ts';
import { affected, atomic, clampLimit, MAX_LIMIT, pageWindow, type SqlContext, toPage, writing } from './context.ts';
import type { PackageFileTable, PackageTable } from './fleet-schema.ts';
import type { Database } from './schema.ts';

export function packageRepo(ctx: SqlContext): PackageRepo {
  const { db } = ctx;
  return {
    async addFile(file, quotaBytes = Number.POSITIVE_INFINITY) {
      return atomic(ctx, async (tx): Promise<AddFileOutcome> => {
        // Uploads of one org take turns here (where there are name locks, i.e. inside a
        // transaction on PostgreSQL; SQLite has one writer at a time anyway).
        await ctx.lockName?.(tx, `taskwarden:package-quota:${file.orgId}`);
        if (await ownedBy(tx, file.orgId, file.sha256)) return { status: 'existing' };
        const usedBytes = await usedBy(tx, file.orgId);
        if (usedBytes + file.size > quotaBytes) return { status: 'over_quota', usedBytes };
        const result = await writing(ctx, `package file ${file.sha256}`, () =>
          tx
            .insertInto('package_files')
            .values({ org_id: file.orgId, sha256: file.sha256, size: file.size, created_at: file.createdAt })
            .onConflict((oc) => oc.columns(['org_id', 'sha256']).doNothing())
            .executeTakeFirst(),
        );
        return { status: affected(result.numInsertedOrUpdatedRows) > 0 ? 'added' : 'existing' };
      });
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

    usedBytes: (orgId) => usedBy(db, orgId),

    /** The FK from packages keeps a file a package registered meanwhile: that chunk fails and is retried. */
    async deleteUnreferencedFiles(orgId, before, limit) {
      const unused = db
        .selectFrom('package_files as f')
        .select('f.sha256')
        .where('f.org_id', '=', orgId)
        .where('f.created_at', '<', before)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('packages as p')
                .select('p.id')
                .whereRef('p.org_id', '=', 'f.org_id')
                .whereRef('p.sha256', '=', 'f.sha256'),
            ),
          ),
        )
        .orderBy('f.sha256')
        .limit(clampLimit(limit));
      const result = await db
        .deleteFrom('package_files')
        .where('org_id', '=', orgId)
        .where('sha256', 'in', unused)
        .executeTakeFirst();
      return affected(result.numDeletedRows);
    },

    async recordedFiles(sha256s) {
      const recorded = new Set<string>();
      for (let i = 0; i < sha256s.length; i += MAX_LIMIT) {
        const rows = await db
          .selectFrom('package_files')
          .select('sha256')
          .distinct()
          .where('sha256', 'in', sha256s.slice(i, i + MAX_LIMIT))
          .execute();
        for (const row of rows) recorded.add(row.sha256);
      }
      return recorded;
    },

    async create(pkg) {
      await writing(
        ctx,
        `package "${pkg.name}" version "${pkg.version}"`,
        () => db.insertInto('packages').values(packageRow(pkg)).execute(),
        'package_version_taken',
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

async function ownedBy(db: Kysely<Database>, orgId: string, sha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('package_files')
    .select('size')
    .where('org_id', '=', orgId)
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  return row !== undefined;
}

/** SUM is numeric on PostgreSQL (read as text): converted here. */
async function usedBy(db: Kysely<Database>, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('package_files')
    .select((eb) => eb.fn.sum<number | string | null>('size').as('bytes'))
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return Number(row?.bytes ?? 0);
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
