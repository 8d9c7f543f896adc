import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseDuration } from '../../core/duration.ts';
import { notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { IdParams, Paged, PageQuery } from '../../protocol/common.ts';
import { CreatedToken, CreateTokenBody, TokenParams, TokenView } from '../../protocol/users.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { pageOf } from '../paging.ts';
import { hashSecret, newSecret } from '../secrets.ts';
import { manageableUser } from '../tenancy.ts';
import { tokenView } from '../views.ts';

/**
 * API tokens: a user makes them for himself, an org-admin for the users of his org, the
 * admin for anyone. The secret is in the creation answer only; the store keeps its SHA-256.
 */
export const tokenRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, clock }) => {
  app.post(
    '/api/v1/users/:id/tokens',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['tokens'], params: IdParams, body: CreateTokenBody, response: { 201: CreatedToken } },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { name, expiresIn } = request.body;
      const ttlSeconds = expiresIn === undefined ? null : parseDuration(expiresIn, 'expiresIn', { min: 1 });
      const user = manageableUser(principalOf(request), await store.users.get(id), {
        allowSelf: true,
        missing: () => notFound('user', id),
      });
      const now = clock.now();
      const secret = newSecret();
      const token = await store.tokens.create({
        id: newId(),
        userId: user.id,
        name,
        hash: hashSecret(secret),
        createdAt: now,
        expiresAt: ttlSeconds === null ? null : now + ttlSeconds * 1000,
        revokedAt: null,
        lastUsedAt: null,
      });
      return reply.code(201).send({ ...tokenView(token), token: secret });
    },
  );

  app.get(
    '/api/v1/users/:id/tokens',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['tokens'], params: IdParams, querystring: PageQuery, response: { 200: Paged(TokenView) } },
    },
    async (request) => {
      const { id } = request.params;
      const user = manageableUser(principalOf(request), await store.users.get(id), {
        allowSelf: true,
        missing: () => notFound('user', id),
      });
      const page = await store.tokens.listForUser(user.id, pageOf(request.query));
      return { items: page.items.map(tokenView), next: page.next };
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    { config: { auth: 'viewer' }, schema: { tags: ['tokens'], params: TokenParams } },
    async (request, reply) => {
      const { id } = request.params;
      const token = await store.tokens.get(id);
      if (!token) throw notFound('token', id);
      // Whoever may not see the token's owner must not learn the token exists either.
      manageableUser(principalOf(request), await store.users.get(token.userId), {
        allowSelf: true,
        missing: () => notFound('token', id),
      });
      await store.tokens.revoke(id, clock.now());
      return reply.code(204).send();
    },
  );
};
