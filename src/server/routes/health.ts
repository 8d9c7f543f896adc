import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isStoreOutage } from '../../core/errors.ts';
import type { ServerContext } from '../context.ts';
import { withDeadline } from '../deadline.ts';

/** A health check must answer fast, even when the database hangs instead of refusing. */
const PING_TIMEOUT_MS = 2_000;

/**
 * `/health`: 200 `{"status":"ok"}` while the store can serve (store.ping); 503
 * `{"status":"degraded","reason":…}` while it cannot: unreachable, or locked by another
 * process (the node keeps serving what it can and recovers by itself; a load balancer can
 * route around it meanwhile).
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
        return reply.code(503).send({ status: 'degraded' as const, reason: degradedReason(err) });
      }
    },
  );
};

/** The store's own words for a store outage ("database locked by another process (…)"), else "database unreachable: …". */
function degradedReason(err: unknown): string {
  const why = err instanceof Error ? err.message : String(err);
  return isStoreOutage(err) ? why : `database unreachable: ${why}`;
}
