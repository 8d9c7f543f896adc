import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { previewSchedule } from '../../core/schedule/index.ts';
import { readInstant } from '../../core/validate.ts';
import { DEFAULT_PREVIEW_COUNT, PreviewBody, PreviewQuery, PreviewResponse } from '../../protocol/schedules.ts';
import { principalOf } from '../auth.ts';
import { previewCalendars } from '../calendar-check.ts';
import type { ServerContext } from '../context.ts';
import { listScope } from '../tenancy.ts';
import { iso } from '../views.ts';

/** Lets users check a schedule with its windows before saving it: the next firings and a description. */
export const scheduleRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { clock, defaultTz, store }) => {
  app.post(
    '/api/v1/schedules/preview',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['schedules'], querystring: PreviewQuery, body: PreviewBody, response: { 200: PreviewResponse } },
    },
    async (request) => {
      const { from, count, calendars: names, ...input } = request.body;
      const orgId = await listScope(store, principalOf(request), request.query.org);
      const calendars = await previewCalendars(store, orgId ?? null, names);
      const start = from === undefined ? clock.now() : readInstant(from, 'from');
      const preview = previewSchedule({ ...input, calendars }, start, count ?? DEFAULT_PREVIEW_COUNT, defaultTz);
      const zones = preview.zones?.map((z) => ({ tz: z.tz, firings: z.firings.map(iso) }));
      return {
        firings: preview.firings.map(iso),
        description: preview.description,
        neverFires: preview.neverFires,
        ...(zones ? { zones } : {}),
        deferred: preview.deferred.map((d) => ({
          firing: iso(d.firing),
          wouldBe: iso(d.wouldBe),
          calendar: d.calendar,
          from: iso(d.from),
          until: iso(d.until),
        })),
      };
    },
  );
};
