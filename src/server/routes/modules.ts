import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Paged } from '../../protocol/common.ts';
import { ModuleView } from '../../protocol/modules.ts';
import type { ServerContext } from '../context.ts';

export const moduleRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { modules }) => {
  app.get(
    '/api/v1/modules',
    { config: { auth: 'viewer' }, schema: { tags: ['modules'], response: { 200: Paged(ModuleView) } } },
    async () => ({
      items: modules.list().map((m) => ({
        name: m.name,
        title: m.title,
        icon: m.icon,
        description: m.description,
        runsOn: m.runsOn,
        parallelizable: m.parallelizable,
        paramsSchema: m.paramsSchema,
      })),
      next: null,
    }),
  );
};
