import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TaskwardenError } from '../../core/errors.ts';
import { OrgQuery } from '../../protocol/common.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { OpenCounts } from '../open-counts.ts';
import { listScope } from '../tenancy.ts';

/** A comment line this often keeps proxies and browsers from closing an idle stream. */
const SSE_HEARTBEAT_MS = 15_000;

/**
 * Server-sent events of the engine (`run`, `jobstate`, `task`), limited to the caller's org
 * (the admin sees every org, or one with `?org=`). Each event's data is the record as the
 * REST API shows it. A user holds at most `maxEventStreamsPerUser` streams (each is a
 * connection and a subscriber kept for as long as it stays open).
 */
export const eventRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, events, limits }) => {
  const streams = new OpenCounts(limits.maxEventStreamsPerUser);
  app.get(
    '/api/v1/events',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['monitoring'],
        querystring: OrgQuery,
        description: 'text/event-stream of run, jobstate and task events',
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const orgId = await listScope(store, principal, request.query.org);
      const release = streams.tryOpen(principal.user.id);
      if (!release) {
        throw new TaskwardenError(
          'rate_limited',
          `at most ${streams.max} event streams may be open per user; close another tab or window showing Taskwarden`,
        );
      }
      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      stream.write(': connected\n\n');
      const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), SSE_HEARTBEAT_MS);
      const unsubscribe = events.subscribe({
        orgId,
        send: (type, data) => stream.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`),
        end: () => stream.end(),
      });
      const stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
        release();
      };
      request.raw.on('close', stop);
      // The client may have gone while the scope was looked up: its 'close' came before the listener.
      if (request.raw.socket.destroyed) stop();
    },
  );
};
