import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams } from '../../protocol/common.ts';
import { IdempotencyHeaders, RunView } from '../../protocol/runs.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { idempotencyKeyOf, markReplay } from '../idempotency.ts';
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
        headers: IdempotencyHeaders,
        description: 'a manual run of the same task restricted to the (job, target) pairs that ended in error',
        response: { 201: RunView },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params;
      visible(principal, await store.runs.get(id), 'run', id);
      const started = await engine.relaunchFailed(id, principal.user.name, idempotencyKeyOf(request, principal));
      markReplay(reply, started);
      return reply.code(201).send(await loadRunView(store, started.run));
    },
  );
};
