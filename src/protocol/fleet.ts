import { type Static, Type } from 'typebox';
import { Id, IsoTime, OrgPageQuery, Printable } from './common.ts';

/**
 * The fleet resources: package files and packages (for `deploy`), agents' inventories with
 * their history of changes, and the devices network discovery found.
 *
 * Uploading a package is two calls: `POST /api/v1/packages/files` with the archive as the
 * raw body (`Content-Type: application/octet-stream`) answers its `sha256`; then
 * `POST /api/v1/packages` registers a name and version with that `archive` and the
 * manifest. Content is stored once per hash, so re-uploading is cheap and an upload that
 * breaks halfway leaves nothing behind.
 */

export const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'lower-case hex SHA-256' });

export const PackageFileView = Type.Object({ sha256: Sha256, size: Type.Integer(), createdAt: IsoTime });
export type PackageFileView = Static<typeof PackageFileView>;

/** The manifest fields are checked by the deploy module's rules, which name the bad field. */
export const CreatePackageBody = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,99}$', description: 'a-z, 0-9, . _ -' }),
    version: Printable({ minLength: 1, maxLength: 100 }),
    archive: Sha256,
    checks: Type.Optional(Type.Array(Type.Unknown(), { description: 'file-exists, file-absent or command checks' })),
    steps: Type.Array(Type.Unknown(), { description: 'extract or command steps, in order' }),
    uninstall: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type CreatePackageBody = Static<typeof CreatePackageBody>;

export const PackageView = Type.Object({
  id: Id,
  orgId: Id,
  name: Type.String(),
  version: Type.String(),
  sha256: Sha256,
  size: Type.Integer(),
  manifest: Type.Record(Type.String(), Type.Unknown()),
  createdAt: IsoTime,
  createdBy: Type.Union([Id, Type.Null()]),
});
export type PackageView = Static<typeof PackageView>;

export const PackageListQuery = Type.Object({
  ...OrgPageQuery.properties,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});

export const InventoryView = Type.Object({
  agentId: Id,
  collectedAt: IsoTime,
  jobstateId: Type.Union([Id, Type.Null()]),
  inventory: Type.Record(Type.String(), Type.Unknown()),
});
export type InventoryView = Static<typeof InventoryView>;

export const InventoryChangeView = Type.Object({
  path: Type.String({ description: 'e.g. os.version, disks[/home].sizeBytes' }),
  from: Type.Optional(Type.Unknown({ description: 'absent: the field is new' })),
  to: Type.Optional(Type.Unknown({ description: 'absent: the field is gone' })),
});

export const InventoryHistoryView = Type.Object({
  id: Id,
  at: IsoTime,
  jobstateId: Type.Union([Id, Type.Null()]),
  changes: Type.Array(InventoryChangeView),
});
export type InventoryHistoryView = Static<typeof InventoryHistoryView>;

export const DeviceView = Type.Object({
  id: Id,
  orgId: Id,
  ip: Type.String(),
  ports: Type.Array(Type.Integer()),
  hostname: Type.Union([Type.String(), Type.Null()]),
  firstSeen: IsoTime,
  lastSeen: IsoTime,
  lastJobstateId: Type.Union([Id, Type.Null()]),
});
export type DeviceView = Static<typeof DeviceView>;

export const FileParams = Type.Object({ sha256: Type.String({ minLength: 1, maxLength: 100 }) });
