import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServerContext } from '../context.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app) => {
  app.get(
    '/health',
    {
      config: { auth: 'public' },
      schema: { tags: ['server'], security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
};
