import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServerContext } from '../context.ts';
import { renderMetrics } from '../metrics.ts';

/**
 * Prometheus metrics. They need an admin token (Prometheus sends one with
 * `authorization: {credentials_file: …}`): an unauthenticated loopback exception would also
 * open them to anything behind a local reverse proxy, and they reveal activity of every org.
 */
export const metricsRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (
  app,
  { store, metrics, engine, clock },
) => {
  app.get(
    '/metrics',
    { config: { auth: 'admin' }, schema: { tags: ['server'], description: 'Prometheus text format 0.0.4' } },
    async (_request, reply) => {
      const sources = { store, scheduler: metrics, now: clock.now(), leaseMs: engine.ctx.options.leaseMs };
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await renderMetrics(sources));
    },
  );
};
