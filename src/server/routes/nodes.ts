import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isClockSkewed } from '../../core/db-clock.ts';
import type { NodeRecord } from '../../core/ports/store.ts';
import { Paged } from '../../protocol/common.ts';
import { NodeView } from '../../protocol/nodes.ts';
import type { ServerContext } from '../context.ts';
import { isNodeAlive, iso, isoOrNull } from '../views.ts';

/**
 * `GET /api/v1/nodes` (admin): the server nodes sharing the store. A node is alive while its
 * last heartbeat is within the lease time: past it, other nodes take its running jobs over.
 */
export const nodeRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, engine, clock }) => {
  app.get(
    '/api/v1/nodes',
    { config: { auth: 'admin' }, schema: { tags: ['server'], response: { 200: Paged(NodeView) } } },
    async () => {
      const now = clock.now();
      const { leaseMs } = engine.ctx.options;
      const nodes = await store.nodes.list();
      return { items: nodes.map((node) => nodeView(node, now, leaseMs)), next: null };
    },
  );
};

function nodeView(node: NodeRecord, now: number, leaseMs: number): NodeView {
  return {
    id: node.id,
    hostname: node.hostname,
    pid: node.pid,
    version: node.version,
    startedAt: iso(node.startedAt),
    seenAt: iso(node.seenAt),
    stoppedAt: isoOrNull(node.stoppedAt),
    alive: isNodeAlive(node, now, leaseMs),
    clockOffsetMs: node.clockOffsetMs,
    clockSkewed: isClockSkewed(node.clockOffsetMs),
  };
}
