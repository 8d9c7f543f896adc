import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams } from '../../protocol/common.ts';
import { JobstateView, LogPageView, LogsQuery } from '../../protocol/jobstates.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { pageOf } from '../paging.ts';
import { visible } from '../tenancy.ts';
import { loadJobstateViews, logLineView } from '../views.ts';

export const jobstateRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, clock }) => {
  app.get(
    '/api/v1/jobstates/:id',
    { config: { auth: 'viewer' }, schema: { tags: ['jobstates'], params: IdParams, response: { 200: JobstateView } } },
    async (request) => {
      const { id } = request.params;
      const js = visible(principalOf(request), await store.jobstates.get(id), 'jobstate', id);
      return (await loadJobstateViews(store, [js], clock.now()))[0];
    },
  );

  /** Log lines of every attempt, oldest first; poll with `after=<cursor>` to follow a running job. */
  app.get(
    '/api/v1/jobstates/:id/logs',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['jobstates'], params: IdParams, querystring: LogsQuery, response: { 200: LogPageView } },
    },
    async (request) => {
      const { id } = request.params;
      visible(principalOf(request), await store.jobstates.get(id), 'jobstate', id);
      const page = await store.logs.list(id, pageOf(request.query));
      return { items: page.items.map(logLineView), next: page.next, cursor: page.cursor };
    },
  );
};
