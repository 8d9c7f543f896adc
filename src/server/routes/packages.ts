import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TaskwardenError, ValidationError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { AddFileOutcome } from '../../core/ports/fleet.ts';
import type { Store } from '../../core/ports/store.ts';
import { checkExtractTargets, parseManifest, prepareProcedure } from '../../modules/deploy/index.ts';
import { IdParams, OrgQuery, Paged } from '../../protocol/common.ts';
import { CreatePackageBody, PackageFileView, PackageListQuery, PackageView } from '../../protocol/fleet.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { packageFileView, packageView } from '../fleet-views.ts';
import { DEFAULT_PACKAGE_QUOTA, type PackageFiles } from '../package-files.ts';
import { pageOf } from '../paging.ts';
import { listScope, targetOrg, visible } from '../tenancy.ts';

const OCTET_STREAM = 'application/octet-stream';

/**
 * Deploy packages (see protocol/fleet.ts for the two-call upload). Operators upload and
 * register packages of their org, viewers list them, org-admins delete them. Uploads count
 * against the org's quota (the global admin's `packageQuota`). A package's commands are
 * checked against the catalog and its extract folders against the org's `extractPrefixes`
 * when it is registered, and again when a job prepares it for an agent (either may have changed).
 */
export const packageRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, ctx) => {
  const { store, clock } = ctx;
  const files = (): PackageFiles => {
    if (!ctx.packageFiles) throw new TaskwardenError('package_files_disabled', 'this server keeps no package files');
    return ctx.packageFiles;
  };
  // Only these routes take a raw body; it is streamed to disk, never held in memory.
  app.addContentTypeParser(OCTET_STREAM, (_request, payload, done) => done(null, payload));

  app.post(
    '/api/v1/packages/files',
    {
      config: { auth: 'operator', bodyTimeout: 'upload' },
      schema: {
        tags: ['packages'],
        querystring: OrgQuery,
        consumes: [OCTET_STREAM],
        response: { 200: PackageFileView, 201: PackageFileView },
      },
    },
    async (request, reply) => {
      const orgId = await targetOrg(store, principalOf(request), request.query.org);
      if (request.headers['content-type']?.split(';')[0]?.trim() !== OCTET_STREAM) {
        throw new TaskwardenError(
          'unsupported_media_type',
          `send the archive as the raw body (Content-Type: ${OCTET_STREAM})`,
        );
      }
      const declared = Number(request.headers['content-length']);
      if (declared > files().maxBytes) {
        throw new TaskwardenError('payload_too_large', `a package may be at most ${files().maxBytes} bytes`);
      }
      const quota = await packageQuota(store, orgId);
      // Cannot fit even in an empty quota: refused before a byte is read.
      if (declared > quota) throw overQuota({ used: 0, quota, size: declared });
      const upload = await files().receive(request.body as Readable);
      const file = { orgId, sha256: upload.sha256, size: upload.size, createdAt: clock.now() };
      let added: AddFileOutcome;
      try {
        added = await store.transaction((tx) => tx.packages.addFile(file, quota));
      } catch (err) {
        await upload.discard();
        throw err;
      }
      if (added.status === 'over_quota') {
        await upload.discard();
        throw overQuota({ used: added.usedBytes, quota, size: upload.size });
      }
      await upload.keep();
      const created = added.status === 'added';
      const stored = created ? file : ((await store.packages.getFile(orgId, file.sha256)) ?? file);
      return reply.code(created ? 201 : 200).send(packageFileView(stored));
    },
  );

  app.post(
    '/api/v1/packages',
    {
      config: { auth: 'operator' },
      schema: { tags: ['packages'], querystring: OrgQuery, body: CreatePackageBody, response: { 201: PackageView } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const orgId = await targetOrg(store, principal, request.query.org);
      const { name, version, archive, ...manifestInput } = request.body;
      const manifest = parseManifest(manifestInput, '');
      checkExtractTargets(manifest, (await store.orgs.settings(orgId))?.extractPrefixes ?? [], '');
      const resolve = (command: string) => store.commands.resolve(orgId, command);
      await prepareProcedure(manifest, resolve, '');
      if (manifest.uninstall) await prepareProcedure(manifest.uninstall, resolve, 'uninstall');
      const file = await store.packages.getFile(orgId, archive);
      if (!file)
        throw new ValidationError(
          'archive',
          `no uploaded file ${archive}: upload it first (POST /api/v1/packages/files)`,
        );
      const pkg = await store.packages.create({
        id: newId(),
        orgId,
        name,
        version,
        sha256: archive,
        size: file.size,
        manifest: { ...manifest },
        createdAt: clock.now(),
        createdBy: principal.user.id,
      });
      return reply.code(201).send(packageView(pkg));
    },
  );

  app.get(
    '/api/v1/packages',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['packages'], querystring: PackageListQuery, response: { 200: Paged(PackageView) } },
    },
    async (request) => {
      const orgId = await listScope(store, principalOf(request), request.query.org);
      const page = await store.packages.list({ orgId, name: request.query.name }, pageOf(request.query));
      return { items: page.items.map(packageView), next: page.next };
    },
  );

  app.get(
    '/api/v1/packages/:id',
    { config: { auth: 'viewer' }, schema: { tags: ['packages'], params: IdParams, response: { 200: PackageView } } },
    async (request) => {
      const { id } = request.params;
      return packageView(visible(principalOf(request), await store.packages.get(id), 'package', id));
    },
  );

  app.delete(
    '/api/v1/packages/:id',
    { config: { auth: 'org-admin' }, schema: { tags: ['packages'], params: IdParams } },
    async (request, reply) => {
      const { id } = request.params;
      visible(principalOf(request), await store.packages.get(id), 'package', id);
      await store.packages.delete(id);
      return reply.code(204).send();
    },
  );
};

/** The org's package quota in bytes: the global admin's setting, else the default. */
async function packageQuota(store: Store, orgId: string): Promise<number> {
  return (await store.orgs.settings(orgId))?.packageQuota ?? DEFAULT_PACKAGE_QUOTA;
}

function overQuota({ used, quota, size }: { used: number; quota: number; size: number }): TaskwardenError {
  return new TaskwardenError(
    'payload_too_large',
    `the org's packages use ${used} of ${quota} bytes: this upload of ${size} bytes does not fit ` +
      '(delete unused packages — housekeeping frees their files — or ask the global admin for a larger packageQuota)',
    { used, quota, size },
  );
}
