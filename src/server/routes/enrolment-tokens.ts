import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseDuration } from '../../core/duration.ts';
import { newId } from '../../core/ids.ts';
import { CreatedEnrolmentToken, CreateEnrolmentTokenBody, EnrolmentTokenView } from '../../protocol/agents.ts';
import { IdParams, OrgPageQuery, OrgQuery, Paged } from '../../protocol/common.ts';
import { agentSetup } from '../agent-setup.ts';
import { enrolmentTokenView } from '../agent-views.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { pageOf } from '../paging.ts';
import { hashSecret } from '../secrets.ts';
import { listScope, targetOrg, visible } from '../tenancy.ts';

/**
 * Enrolment tokens (org-bound, expiring, limited uses): an org-admin makes one, hands it to
 * the machines to enrol, and may revoke it. The token is in the creation answer only; the
 * store keeps its SHA-256.
 */
export const enrolmentTokenRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, ctx) => {
  const { store, clock } = ctx;
  app.post(
    '/api/v1/enrolment-tokens',
    {
      config: { auth: 'org-admin' },
      schema: {
        tags: ['agents'],
        querystring: OrgQuery,
        body: CreateEnrolmentTokenBody,
        response: { 201: CreatedEnrolmentToken },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { uses, expiresIn, tags } = request.body;
      const ttlSeconds = parseDuration(expiresIn, 'expiresIn', { min: 1 });
      const orgId = await targetOrg(store, principal, request.query.org);
      const now = clock.now();
      const token = `twe_${randomBytes(32).toString('base64url')}`;
      const created = await store.enrolmentTokens.create({
        id: newId(),
        orgId,
        hash: hashSecret(token),
        tags: [...new Set(tags ?? [])],
        usesLeft: uses,
        expiresAt: now + ttlSeconds * 1000,
        createdAt: now,
        createdBy: principal.user.id,
        revokedAt: null,
      });
      const setup = agentSetup(ctx, request, { id: created.id, token });
      return reply.code(201).send({ ...enrolmentTokenView(created), token, setup });
    },
  );

  app.get(
    '/api/v1/enrolment-tokens',
    {
      config: { auth: 'org-admin' },
      schema: { tags: ['agents'], querystring: OrgPageQuery, response: { 200: Paged(EnrolmentTokenView) } },
    },
    async (request) => {
      const orgId = await listScope(store, principalOf(request), request.query.org);
      const page = await store.enrolmentTokens.list(orgId, pageOf(request.query));
      return { items: page.items.map(enrolmentTokenView), next: page.next };
    },
  );

  app.delete(
    '/api/v1/enrolment-tokens/:id',
    { config: { auth: 'org-admin' }, schema: { tags: ['agents'], params: IdParams } },
    async (request, reply) => {
      const { id } = request.params;
      visible(principalOf(request), await store.enrolmentTokens.get(id), 'enrolment token', id);
      await store.enrolmentTokens.revoke(id, clock.now());
      return reply.code(204).send();
    },
  );
};
