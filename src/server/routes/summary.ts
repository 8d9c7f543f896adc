import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams, OrgPageQuery, Paged } from '../../protocol/common.ts';
import { SummaryLine } from '../../protocol/summary.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { readableTask, readableTaskOrgs } from '../global-tasks.ts';
import { pageOf } from '../paging.ts';
import { summaryLine } from '../summary.ts';

export const summaryRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, modules, clock }) => {
  app.get(
    '/api/v1/summary',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['monitoring'], querystring: OrgPageQuery, response: { 200: Paged(SummaryLine) } },
    },
    async (request) => {
      const orgId = await readableTaskOrgs(store, principalOf(request), request.query.org);
      const page = await store.tasks.list({ orgId }, pageOf(request.query));
      return {
        items: await Promise.all(page.items.map((task) => summaryLine(store, modules, task, clock.now()))),
        next: page.next,
      };
    },
  );

  /** One task's line, so a live view can refresh the line an event names without reading them all. */
  app.get(
    '/api/v1/summary/:id',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['monitoring'], params: IdParams, response: { 200: SummaryLine } },
    },
    async (request) => {
      const { id } = request.params;
      return summaryLine(
        store,
        modules,
        await readableTask(store, principalOf(request), await store.tasks.get(id), id),
        clock.now(),
      );
    },
  );
};
