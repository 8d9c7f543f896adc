import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { previewSchedule } from '../../core/schedule/index.ts';
import { readInstant } from '../../core/validate.ts';
import { DEFAULT_PREVIEW_COUNT, PreviewBody, PreviewResponse } from '../../protocol/schedules.ts';
import type { ServerContext } from '../context.ts';
import { iso } from '../views.ts';

/** Lets users check a schedule with its windows before saving it: the next firings and a description. */
export const scheduleRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { clock, defaultTz }) => {
  app.post(
    '/api/v1/schedules/preview',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['schedules'], body: PreviewBody, response: { 200: PreviewResponse } },
    },
    async (request) => {
      const { from, count, ...input } = request.body;
      const start = from === undefined ? clock.now() : readInstant(from, 'from');
      const preview = previewSchedule(input, start, count ?? DEFAULT_PREVIEW_COUNT, defaultTz);
      const zones = preview.zones?.map((z) => ({ tz: z.tz, firings: z.firings.map(iso) }));
      return {
        firings: preview.firings.map(iso),
        description: preview.description,
        neverFires: preview.neverFires,
        ...(zones ? { zones } : {}),
      };
    },
  );
};
