import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseChannelChange, parseChannelInput } from '../../core/channels.ts';
import { TaskwardenError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { parseNotifyRules } from '../../core/notify.ts';
import type { Channel } from '../../core/ports/notifications.ts';
import {
  ChangeChannelBody,
  ChannelView,
  CreateChannelBody,
  DeliveryQuery,
  DeliveryView,
  OrgNotifyBody,
  OrgNotifyView,
} from '../../protocol/channels.ts';
import { IdParams, OrgPageQuery, OrgQuery, Paged } from '../../protocol/common.ts';
import { OrgParams } from '../../protocol/orgs.ts';
import { type Principal, principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { checkChannelReferences } from '../notify/channel-check.ts';
import { channelView, deliveryView } from '../notify/views.ts';
import { pageOf } from '../paging.ts';
import { isGlobalAdmin, listScope, targetOrg, visible } from '../tenancy.ts';

/**
 * Notification channels and their delivery log (README "Notifications"). An org-admin
 * manages his org's channels, the global admin global ones (`"global": true`, usable by
 * every org) and any org's; viewers and operators see channel names, never where they go
 * nor their secret, which no one reads back. A webhook URL the allow list refuses is 400
 * naming `url`. An org-admin also sets the org's default rules.
 */
export const channelRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, ctx) => {
  const { store, clock, engine, webhooks } = ctx;

  app.post(
    '/api/v1/channels',
    {
      config: { auth: 'org-admin' },
      schema: {
        tags: ['notifications'],
        querystring: OrgQuery,
        body: CreateChannelBody,
        response: { 201: ChannelView },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const input = parseChannelInput(request.body);
      const global = request.body.global === true;
      if (global && !isGlobalAdmin(principal)) {
        throw new TaskwardenError('global_admin_only', 'only the global admin defines global channels');
      }
      const orgId = global ? null : await targetOrg(store, principal, request.query.org);
      if (input.url !== null) await webhooks.check(input.url, 'url');
      const generated =
        input.kind === 'webhook' && input.secret === null ? randomBytes(32).toString('base64url') : null;
      const now = clock.now();
      const channel = await store.channels.create({
        ...input,
        secret: generated ?? input.secret,
        id: newId(),
        orgId,
        createdAt: now,
        updatedAt: now,
      });
      const view = channelView(channel, true);
      return reply.code(201).send(generated ? { ...view, secret: generated } : view);
    },
  );

  app.get(
    '/api/v1/channels',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['notifications'], querystring: OrgPageQuery, response: { 200: Paged(ChannelView) } },
    },
    async (request) => {
      const principal = principalOf(request);
      // Without ?org= the admin sees the global channels; an org sees its own and the global ones.
      const scope = await listScope(store, principal, request.query.org);
      const page = await store.channels.list(scope ?? null, pageOf(request.query));
      return { items: page.items.map((c) => channelView(c, manages(principal, c))), next: page.next };
    },
  );

  app.get(
    '/api/v1/channels/:id',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['notifications'], params: IdParams, response: { 200: ChannelView } },
    },
    async (request) => {
      const principal = principalOf(request);
      const channel = visible(principal, await store.channels.get(request.params.id), 'channel', request.params.id);
      return channelView(channel, manages(principal, channel));
    },
  );

  app.patch(
    '/api/v1/channels/:id',
    {
      config: { auth: 'org-admin' },
      schema: { tags: ['notifications'], params: IdParams, body: ChangeChannelBody, response: { 200: ChannelView } },
    },
    async (request) => {
      const channel = await managed(principalOf(request), request.params.id);
      const change = parseChannelChange(request.body, channel.kind);
      if (change.url !== undefined) await webhooks.check(change.url, 'url');
      await store.channels.update(channel.id, { ...change, updatedAt: clock.now() });
      return channelView(await managed(principalOf(request), channel.id), true);
    },
  );

  app.delete(
    '/api/v1/channels/:id',
    { config: { auth: 'org-admin' }, schema: { tags: ['notifications'], params: IdParams } },
    async (request, reply) => {
      const channel = await managed(principalOf(request), request.params.id);
      await store.channels.delete(channel.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/channels/:id/test',
    {
      config: { auth: 'org-admin' },
      schema: { tags: ['notifications'], params: IdParams, response: { 200: DeliveryView } },
    },
    async (request) => deliveryView(await engine.testChannel(await managed(principalOf(request), request.params.id))),
  );

  app.get(
    '/api/v1/channels/:id/deliveries',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['notifications'],
        params: IdParams,
        querystring: DeliveryQuery,
        response: { 200: Paged(DeliveryView) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const channel = visible(principal, await store.channels.get(request.params.id), 'channel', request.params.id);
      // A global channel's messages may tell of every org's runs.
      if (channel.orgId === null && !isGlobalAdmin(principal)) {
        throw new TaskwardenError('global_admin_only', 'the deliveries of a global channel are the global admin’s');
      }
      const { status } = request.query;
      const filter = { channelId: channel.id, status: status === undefined ? undefined : [status] };
      const page = await store.deliveries.list(filter, pageOf(request.query));
      return { items: page.items.map(deliveryView), next: page.next };
    },
  );

  app.get(
    '/api/v1/deliveries',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['notifications'], querystring: DeliveryQuery, response: { 200: Paged(DeliveryView) } },
    },
    async (request) => {
      const orgId = await listScope(store, principalOf(request), request.query.org);
      const { status } = request.query;
      const page = await store.deliveries.list(
        { orgId, status: status === undefined ? undefined : [status] },
        pageOf(request.query),
      );
      return { items: page.items.map(deliveryView), next: page.next };
    },
  );

  app.put(
    '/api/v1/orgs/:org/notify',
    {
      config: { auth: 'org-admin' },
      schema: { tags: ['notifications'], params: OrgParams, body: OrgNotifyBody, response: { 200: OrgNotifyView } },
    },
    async (request) => {
      const orgId = await targetOrg(store, principalOf(request), request.params.org);
      const notify = parseNotifyRules(request.body.notify, 'notify');
      await checkChannelReferences(store, orgId, notify);
      await store.orgs.updateSettings(orgId, { notify });
      return { notify };
    },
  );

  /** The channel if the caller may change it: 404 for another org's, 403 for a global one (the global admin's). */
  async function managed(principal: Principal, id: string): Promise<Channel> {
    const channel = visible(principal, await store.channels.get(id), 'channel', id);
    if (!manages(principal, channel)) {
      throw new TaskwardenError(
        'global_admin_only',
        `channel "${channel.name}" is global: only the global admin changes it`,
      );
    }
    return channel;
  }
};

/** The global admin manages every channel; an org-admin his org's. */
function manages(principal: Principal, channel: Channel): boolean {
  if (isGlobalAdmin(principal)) return true;
  return principal.user.role === 'org-admin' && channel.orgId !== null && channel.orgId === principal.user.orgId;
}
