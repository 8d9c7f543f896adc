import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServerContext } from '../context.ts';
import { withDeadline } from '../deadline.ts';

/** A health check must answer fast, even when the database hangs instead of refusing. */
const PING_TIMEOUT_MS = 2_000;

/**
 * `/health`: 200 `{"status":"ok"}` while the store answers a trivial query; 503
 * `{"status":"degraded","reason":…}` while it does not (the node keeps serving what it
 * can and reconnects by itself; a load balancer can route around it meanwhile).
 */
export const healthRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, ctx) => {
  app.get(
    '/health',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['server'],
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ok') }),
          503: Type.Object({ status: Type.Literal('degraded'), reason: Type.String() }),
        },
      },
    },
    async (_request, reply) => {
      try {
        await withDeadline(PING_TIMEOUT_MS, 'the database ping', ctx.store.ping());
        return { status: 'ok' as const };
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return reply.code(503).send({ status: 'degraded' as const, reason: `database unreachable: ${why}` });
      }
    },
  );
};
