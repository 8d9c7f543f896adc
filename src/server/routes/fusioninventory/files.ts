import { notFound } from '../../../core/errors.ts';
import { FilePartParams } from '../../../protocol/fusioninventory.ts';
import { fusionInventoryTokenOf } from '../../fusioninventory/auth.ts';
import type { FusionApp, FusionRouteDeps } from './deps.ts';

/**
 * `GET <path>files/<sha256>/<c>/<cc>/<part sha512>`: one part of a package archive, where
 * the Deploy task looks for it under the mirror getJobs gave (Deploy/File.pm). Only files
 * the agent's own org uploaded; another org's is as unknown as a missing one.
 */
export function fileRoutes(app: FusionApp, deps: FusionRouteDeps): void {
  app.get(
    // The sha512 as a wildcard: named params stop at the router's 100 characters, a sha512 is 128.
    `${deps.path}files/:sha256/:c/:cc/*`,
    { config: { auth: 'fusioninventory' }, schema: { hide: true, params: FilePartParams } },
    async (request, reply) => {
      const { sha256, c, cc, '*': sha512 } = request.params;
      const orgId = fusionInventoryTokenOf(request).orgId;
      const owned = sha512.startsWith(cc) && cc.startsWith(c) && (await deps.store.packages.getFile(orgId, sha256));
      const part = owned && deps.parts ? await deps.parts.part(sha256, sha512) : null;
      if (!part) throw notFound('file part', sha512);
      return reply.type('application/octet-stream').send(part);
    },
  );
}
