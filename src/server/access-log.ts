import type { FastifyInstance } from 'fastify';
import { servesMachines } from './machine-traffic.ts';

/**
 * One line per answered request (fastify's own two a request are off, app.ts). The calls of
 * agents that succeed (contacts, events, file downloads) are logged at debug, not info: a
 * fleet calls all the time (1,000 long-polling agents running jobs make thousands of calls a
 * second), and a line each cost the server about a tenth of its CPU and filled its journal
 * with lines nobody reads; what the agents did shows in runs, jobstates and their logs. Their
 * failures (4xx, 5xx) and every call of a user (API, UI, CLI) stay at info.
 */
export function installAccessLog(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    const line = {
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (reply.statusCode < 400 && servesMachines(request)) request.log.debug(line, 'request');
    else request.log.info(line, 'request');
    done();
  });
}
