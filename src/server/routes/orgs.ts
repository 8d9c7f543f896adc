import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { Store } from '../../core/ports/store.ts';
import { readAbsolutePath } from '../../modules/deploy/index.ts';
import { Paged, PageQuery } from '../../protocol/common.ts';
import { CreateOrgBody, OrgDetailView, OrgParams, OrgSettingsBody, OrgView } from '../../protocol/orgs.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { DEFAULT_PACKAGE_QUOTA } from '../package-files.ts';
import { pageOf } from '../paging.ts';
import { targetOrg } from '../tenancy.ts';
import { orgView } from '../views.ts';

/**
 * Orgs: the global admin creates and lists them and alone writes their settings (where
 * packages may extract, how much they may store); members read their own org's.
 */
export const orgRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, clock }) => {
  app.post(
    '/api/v1/orgs',
    { config: { auth: 'admin' }, schema: { tags: ['orgs'], body: CreateOrgBody, response: { 201: OrgView } } },
    async (request, reply) => {
      const org = await store.orgs.create({ id: newId(), name: request.body.name, createdAt: clock.now() });
      return reply.code(201).send(orgView(org));
    },
  );

  app.get(
    '/api/v1/orgs',
    {
      config: { auth: 'admin' },
      schema: { tags: ['orgs'], querystring: PageQuery, response: { 200: Paged(OrgView) } },
    },
    async (request) => {
      const page = await store.orgs.list(pageOf(request.query));
      return { items: page.items.map(orgView), next: page.next };
    },
  );

  app.get(
    '/api/v1/orgs/:org',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['orgs'], params: OrgParams, response: { 200: OrgDetailView } },
    },
    async (request) => orgDetail(store, await targetOrg(store, principalOf(request), request.params.org)),
  );

  app.patch(
    '/api/v1/orgs/:org',
    {
      config: { auth: 'admin' },
      schema: { tags: ['orgs'], params: OrgParams, body: OrgSettingsBody, response: { 200: OrgDetailView } },
    },
    async (request) => {
      const orgId = await targetOrg(store, principalOf(request), request.params.org);
      const { extractPrefixes, packageQuota } = request.body;
      await store.orgs.updateSettings(orgId, {
        ...(extractPrefixes === undefined
          ? {}
          : {
              extractPrefixes: [
                ...new Set(extractPrefixes.map((p, i) => readAbsolutePath(p, `extractPrefixes[${i}]`))),
              ],
            }),
        ...(packageQuota === undefined ? {} : { packageQuota }),
      });
      return orgDetail(store, orgId);
    },
  );
};

async function orgDetail(store: Store, orgId: string): Promise<OrgDetailView> {
  const [org, settings] = await Promise.all([store.orgs.get(orgId), store.orgs.settings(orgId)]);
  if (!org || !settings) throw notFound('org', orgId);
  return {
    ...orgView(org),
    extractPrefixes: settings.extractPrefixes,
    packageQuota: settings.packageQuota ?? DEFAULT_PACKAGE_QUOTA,
    packageBytes: await store.packages.usedBytes(orgId),
    notify: settings.notify,
    showGlobalTasks: settings.showGlobalTasks,
  };
}
