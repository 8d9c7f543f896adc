import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ModuleDefinition } from '../../core/ports/module.ts';
import { Paged } from '../../protocol/common.ts';
import { ModuleView } from '../../protocol/modules.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { isGlobalAdmin } from '../tenancy.ts';

/** The modules a task of the caller's may use: those only global tasks run (backup) are the global admin's to see. */
export const moduleRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { modules }) => {
  app.get(
    '/api/v1/modules',
    { config: { auth: 'viewer' }, schema: { tags: ['modules'], response: { 200: Paged(ModuleView) } } },
    async (request) => ({
      items: offered(modules.list(), isGlobalAdmin(principalOf(request))).map((m) => ({
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

const offered = (all: readonly ModuleDefinition[], globalAdmin: boolean) =>
  globalAdmin ? all : all.filter((m) => !m.globalOnly);
