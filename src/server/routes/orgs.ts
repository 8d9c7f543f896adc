import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { newId } from '../../core/ids.ts';
import { Paged, PageQuery } from '../../protocol/common.ts';
import { CreateOrgBody, OrgView } from '../../protocol/orgs.ts';
import type { ServerContext } from '../context.ts';
import { pageOf } from '../paging.ts';
import { orgView } from '../views.ts';

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
};
