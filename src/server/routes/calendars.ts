import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Calendar, parseCalendarChange, parseCalendarInput } from '../../core/calendar.ts';
import { TaskwardenError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { CalendarView, ChangeCalendarBody, CreateCalendarBody } from '../../protocol/calendars.ts';
import { IdParams, OrgPageQuery, OrgQuery, Paged } from '../../protocol/common.ts';
import { type Principal, principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { pageOf } from '../paging.ts';
import { isGlobalAdmin, listScope, targetOrg, visible } from '../tenancy.ts';
import { iso } from '../views.ts';

/**
 * Shared calendars (README "Shared calendars"): an org-admin manages his org's, the global
 * admin global ones (`"global": true`, listed by every org's tasks) and any org's; every
 * role of the org reads them. A change re-plans the tasks listing the calendar; deleting
 * one still listed is refused (409 calendar_in_use, naming the tasks).
 */
export const calendarRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, ctx) => {
  const { store, clock, engine } = ctx;

  app.post(
    '/api/v1/calendars',
    {
      config: { auth: 'org-admin' },
      schema: { tags: ['calendars'], querystring: OrgQuery, body: CreateCalendarBody, response: { 201: CalendarView } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const input = parseCalendarInput(request.body);
      const global = request.body.global === true;
      if (global && !isGlobalAdmin(principal)) {
        throw new TaskwardenError('global_admin_only', 'only the global admin defines global calendars');
      }
      const orgId = global ? null : await targetOrg(store, principal, request.query.org);
      const now = clock.now();
      const calendar = await store.calendars.create({ ...input, id: newId(), orgId, createdAt: now, updatedAt: now });
      return reply.code(201).send(calendarView(calendar, true));
    },
  );

  app.get(
    '/api/v1/calendars',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['calendars'], querystring: OrgPageQuery, response: { 200: Paged(CalendarView) } },
    },
    async (request) => {
      const principal = principalOf(request);
      // Without ?org= the admin sees the global calendars; an org sees its own and the global ones.
      const scope = await listScope(store, principal, request.query.org);
      const page = await store.calendars.list(scope ?? null, pageOf(request.query));
      return { items: page.items.map((c) => calendarView(c, manages(principal, c))), next: page.next };
    },
  );

  app.get(
    '/api/v1/calendars/:id',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['calendars'], params: IdParams, response: { 200: CalendarView } },
    },
    async (request) => {
      const principal = principalOf(request);
      const calendar = visible(principal, await store.calendars.get(request.params.id), 'calendar', request.params.id);
      return calendarView(calendar, manages(principal, calendar));
    },
  );

  app.patch(
    '/api/v1/calendars/:id',
    {
      config: { auth: 'org-admin' },
      schema: { tags: ['calendars'], params: IdParams, body: ChangeCalendarBody, response: { 200: CalendarView } },
    },
    async (request) => {
      const calendar = await managed(principalOf(request), request.params.id);
      const change = parseCalendarChange(request.body);
      await store.calendars.update(calendar.id, { ...change, updatedAt: clock.now() });
      const changed = await managed(principalOf(request), calendar.id);
      await engine.replanCalendarUsers(changed);
      return calendarView(changed, true);
    },
  );

  app.delete(
    '/api/v1/calendars/:id',
    { config: { auth: 'org-admin' }, schema: { tags: ['calendars'], params: IdParams } },
    async (request, reply) => {
      const calendar = await managed(principalOf(request), request.params.id);
      const users = await store.calendars.usersOf(calendar.orgId, calendar.name);
      if (users.length > 0) {
        const shown = users.slice(0, 10).map((t) => `"${t.name}"`);
        const more = users.length > 10 ? ` and ${users.length - 10} more` : '';
        throw new TaskwardenError(
          'calendar_in_use',
          `calendar "${calendar.name}" is listed by task ${shown.join(', ')}${more}: remove it from them first`,
          { tasks: users.map((t) => ({ id: t.id, name: t.name })) },
        );
      }
      await store.calendars.delete(calendar.id);
      return reply.code(204).send();
    },
  );

  /** The calendar if the caller may change it: 404 for another org's, 403 for a global one (the global admin's). */
  async function managed(principal: Principal, id: string): Promise<Calendar> {
    const calendar = visible(principal, await store.calendars.get(id), 'calendar', id);
    if (!manages(principal, calendar)) {
      throw new TaskwardenError(
        'global_admin_only',
        `calendar "${calendar.name}" is global: only the global admin changes it`,
      );
    }
    return calendar;
  }
};

/** The global admin manages every calendar; an org-admin his org's. */
function manages(principal: Principal, calendar: Calendar): boolean {
  if (isGlobalAdmin(principal)) return true;
  return principal.user.role === 'org-admin' && calendar.orgId !== null && calendar.orgId === principal.user.orgId;
}

function calendarView(calendar: Calendar, managed: boolean): CalendarView {
  const { id, orgId, name, blackouts, yearly } = calendar;
  return {
    id,
    orgId,
    name,
    blackouts,
    yearly,
    managed,
    createdAt: iso(calendar.createdAt),
    updatedAt: iso(calendar.updatedAt),
  };
}
