import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { GlobalTasksOptIn } from '../../protocol/global-tasks.ts';
import { OrgParams } from '../../protocol/orgs.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { targetOrg } from '../tenancy.ts';

/**
 * An org-admin's opt-in to show the global admin's global tasks to his org, read-only
 * (server/global-tasks.ts): they then appear in its task list and monitoring, marked by
 * their org `global`; their runs and logs stay out of reach.
 */
export const globalTaskRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store }) => {
  app.put(
    '/api/v1/orgs/:org/global-tasks',
    {
      config: { auth: 'org-admin' },
      schema: { tags: ['orgs'], params: OrgParams, body: GlobalTasksOptIn, response: { 200: GlobalTasksOptIn } },
    },
    async (request) => {
      const orgId = await targetOrg(store, principalOf(request), request.params.org);
      await store.orgs.updateSettings(orgId, { showGlobalTasks: request.body.show });
      return { show: request.body.show };
    },
  );
};
