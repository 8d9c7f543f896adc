import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound, TaskwardenError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { IdParams, Paged, PageQuery } from '../../protocol/common.ts';
import { OrgParams } from '../../protocol/orgs.ts';
import { CreateUserBody, UserView } from '../../protocol/users.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { pageOf } from '../paging.ts';
import { hashPassword } from '../secrets.ts';
import { manageableUser, targetOrg } from '../tenancy.ts';
import { userView } from '../views.ts';

/** Users of an org (org-admin or admin), and `me`. Names are unique server-wide: people log in by name. */
export const userRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, clock }) => {
  app.post(
    '/api/v1/orgs/:org/users',
    {
      config: { auth: 'org-admin' },
      schema: { tags: ['users'], params: OrgParams, body: CreateUserBody, response: { 201: UserView } },
    },
    async (request, reply) => {
      const orgId = await targetOrg(store, principalOf(request), request.params.org);
      const { name, role, password } = request.body;
      const user = await store.users.create({
        id: newId(),
        orgId,
        name,
        role,
        passwordHash: password === undefined ? null : await hashPassword(password),
        disabled: false,
        createdAt: clock.now(),
      });
      return reply.code(201).send(userView(user));
    },
  );

  app.get(
    '/api/v1/orgs/:org/users',
    {
      config: { auth: 'org-admin' },
      schema: { tags: ['users'], params: OrgParams, querystring: PageQuery, response: { 200: Paged(UserView) } },
    },
    async (request) => {
      const orgId = await targetOrg(store, principalOf(request), request.params.org);
      const page = await store.users.list(orgId, pageOf(request.query));
      return { items: page.items.map(userView), next: page.next };
    },
  );

  app.get(
    '/api/v1/me',
    { config: { auth: 'viewer' }, schema: { tags: ['users'], response: { 200: UserView } } },
    async (request) => userView(principalOf(request).user),
  );

  for (const action of ['disable', 'enable'] as const) {
    app.post(
      `/api/v1/users/:id/${action}`,
      {
        config: { auth: 'org-admin' },
        schema: { tags: ['users'], params: IdParams, response: { 200: UserView } },
      },
      async (request) => {
        const principal = principalOf(request);
        const { id } = request.params;
        const user = manageableUser(principal, await store.users.get(id), {
          allowSelf: false,
          missing: () => notFound('user', id),
        });
        if (user.id === principal.user.id)
          throw new TaskwardenError('cannot_change_self', 'you cannot disable or enable yourself');
        await store.users.update(user.id, { disabled: action === 'disable' });
        return userView({ ...user, disabled: action === 'disable' });
      },
    );
  }
};
