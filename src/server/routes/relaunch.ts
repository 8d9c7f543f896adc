import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams } from '../../protocol/common.ts';
import { RunView } from '../../protocol/runs.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { visible } from '../tenancy.ts';
import { loadRunView } from '../views.ts';

/** "Relaunch failed targets only": a new manual run of the task limited to the pairs that errored. */
export const relaunchRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, engine }) => {
  app.post(
    '/api/v1/runs/:id/relaunch',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['runs'],
        params: IdParams,
        description: 'a manual run of the same task restricted to the (job, target) pairs that ended in error',
        response: { 201: RunView },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params;
      visible(principal, await store.runs.get(id), 'run', id);
      const run = await engine.relaunchFailed(id, principal.user.name);
      return reply.code(201).send(await loadRunView(store, run));
    },
  );
};
