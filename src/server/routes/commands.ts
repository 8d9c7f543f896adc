import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseCatalogCommand } from '../../core/catalog.ts';
import { TaskwardenError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { CatalogCommand } from '../../core/ports/store.ts';
import { CommandView, CreateCommandBody } from '../../protocol/commands.ts';
import { IdParams, OrgPageQuery, OrgQuery, Paged } from '../../protocol/common.ts';
import { type Principal, principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { pageOf } from '../paging.ts';
import { isGlobalAdmin, listScope, targetOrg, visible } from '../tenancy.ts';
import { commandView } from '../views.ts';

/**
 * The command catalog (the only way to run a program). An org-admin manages his org's
 * commands, which run on the org's agents only (core/catalog-authors.ts); the
 * admin manages global ones (`"global": true`), which every org sees, and any org's with
 * `?org=`: only his run on the server, and an org-admin neither replaces nor deletes them.
 * A command is created or replaced by (org, name): 201 when new, 200 when it replaced one.
 */
export const commandRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, clock }) => {
  app.post(
    '/api/v1/commands',
    {
      config: { auth: 'org-admin' },
      schema: {
        tags: ['commands'],
        querystring: OrgQuery,
        body: CreateCommandBody,
        response: { 200: CommandView, 201: CommandView },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { global = false, ...definition } = request.body;
      if (global && !isGlobalAdmin(principal)) {
        throw new TaskwardenError('global_admin_only', 'only the admin can define global commands');
      }
      const author = { globalAdmin: isGlobalAdmin(principal) };
      const parsed = parseCatalogCommand(definition, author, '');
      const orgId = global ? null : await targetOrg(store, principal, request.query.org);
      const existing = orgId === null ? null : await store.commands.resolve(orgId, parsed.name);
      if (existing?.orgId === orgId) checkMayChange(principal, existing);
      const now = clock.now();
      const id = newId();
      const stored = await store.commands.upsert({ ...parsed, id, orgId, createdAt: now, updatedAt: now });
      // Replacing keeps the stored id: a different id means it was there already.
      return reply.code(stored.id === id ? 201 : 200).send(commandView(stored));
    },
  );

  app.get(
    '/api/v1/commands',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['commands'], querystring: OrgPageQuery, response: { 200: Paged(CommandView) } },
    },
    async (request) => {
      // Without ?org= the admin sees the global commands; an org sees its own and the global ones.
      const scope = await listScope(store, principalOf(request), request.query.org);
      const page = await store.commands.list(scope ?? null, pageOf(request.query));
      return { items: page.items.map(commandView), next: page.next };
    },
  );

  app.get(
    '/api/v1/commands/:id',
    { config: { auth: 'viewer' }, schema: { tags: ['commands'], params: IdParams, response: { 200: CommandView } } },
    async (request) => {
      const { id } = request.params;
      return commandView(visible(principalOf(request), await store.commands.get(id), 'command', id));
    },
  );

  app.delete(
    '/api/v1/commands/:id',
    { config: { auth: 'org-admin' }, schema: { tags: ['commands'], params: IdParams } },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params;
      const command = visible(principal, await store.commands.get(id), 'command', id);
      checkMayChange(principal, command);
      await store.commands.delete(command.id);
      return reply.code(204).send();
    },
  );
};

/** An entry the global admin wrote for an org is his: the org's admins use it, but neither replace nor delete it. */
function checkMayChange(principal: Principal, command: CatalogCommand): void {
  if (command.definedByAdmin && !isGlobalAdmin(principal)) {
    throw new TaskwardenError(
      'global_admin_only',
      `command "${command.name}" was defined by the global admin: only the global admin changes or deletes it`,
    );
  }
}
