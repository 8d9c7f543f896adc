import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams, OrgPageQuery, Paged } from '../../protocol/common.ts';
import { DeviceView } from '../../protocol/fleet.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { deviceView } from '../fleet-views.ts';
import { pageOf } from '../paging.ts';
import { listScope, visible } from '../tenancy.ts';

/** The devices network discovery found, per org, first seen first. */
export const deviceRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store }) => {
  app.get(
    '/api/v1/devices',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['devices'], querystring: OrgPageQuery, response: { 200: Paged(DeviceView) } },
    },
    async (request) => {
      const orgId = await listScope(store, principalOf(request), request.query.org);
      const page = await store.devices.list({ orgId }, pageOf(request.query));
      return { items: page.items.map(deviceView), next: page.next };
    },
  );

  app.get(
    '/api/v1/devices/:id',
    { config: { auth: 'viewer' }, schema: { tags: ['devices'], params: IdParams, response: { 200: DeviceView } } },
    async (request) => {
      const { id } = request.params;
      return deviceView(visible(principalOf(request), await store.devices.get(id), 'device', id));
    },
  );
};
