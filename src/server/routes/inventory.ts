import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../core/errors.ts';
import { IdParams, Paged, PageQuery } from '../../protocol/common.ts';
import { InventoryHistoryView, InventoryView } from '../../protocol/fleet.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { inventoryHistoryView, inventoryView } from '../fleet-views.ts';
import { pageOf } from '../paging.ts';
import { visible } from '../tenancy.ts';

/** An agent's latest inventory (404 before its first one) and the history of what changed, oldest first. */
export const inventoryRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store }) => {
  const agentOfOrg = async (request: Parameters<typeof principalOf>[0], id: string) =>
    visible(principalOf(request), await store.agents.get(id), 'agent', id);

  app.get(
    '/api/v1/agents/:id/inventory',
    { config: { auth: 'viewer' }, schema: { tags: ['agents'], params: IdParams, response: { 200: InventoryView } } },
    async (request) => {
      const agent = await agentOfOrg(request, request.params.id);
      const inventory = await store.inventories.get(agent.id);
      if (!inventory) throw notFound('inventory of agent', agent.id);
      return inventoryView(inventory);
    },
  );

  app.get(
    '/api/v1/agents/:id/inventory/history',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['agents'],
        params: IdParams,
        querystring: PageQuery,
        response: { 200: Paged(InventoryHistoryView) },
      },
    },
    async (request) => {
      const agent = await agentOfOrg(request, request.params.id);
      const page = await store.inventories.listHistory(agent.id, pageOf(request.query));
      return { items: page.items.map(inventoryHistoryView), next: page.next };
    },
  );
};
