import { createReadStream } from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound, TaskwardenError, ValidationError } from '../../core/errors.ts';
import { FileParams } from '../../protocol/fleet.ts';
import { agentOf } from '../agent-auth.ts';
import { mayFetchFile } from '../agent-file-access.ts';
import { parseByteRange } from '../byte-range.ts';
import type { ServerContext } from '../context.ts';
import { SHA256_HEX } from '../package-files.ts';

/**
 * `GET /agent/v1/files/:sha256`: package content for deploy jobs, to agents only, and only
 * the packages their own running deploy jobs name (agent-file-access.ts): another org's
 * file, or one of the org's that no job of the agent needs, is as unknown as a missing one.
 * Supports a single byte range, so an agent resumes an interrupted download; the agent
 * checks the hash of what it assembled (the ETag is the hash too).
 */
export const agentFileRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, ctx) => {
  app.get(
    '/agent/v1/files/:sha256',
    { config: { auth: 'agent' }, schema: { tags: ['agent'], params: FileParams } },
    async (request, reply) => {
      const { sha256 } = request.params;
      if (!SHA256_HEX.test(sha256)) throw new ValidationError('sha256', 'must be 64 lower-case hex digits');
      if (!ctx.packageFiles) throw new TaskwardenError('package_files_disabled', 'this server keeps no package files');
      const allowed = await mayFetchFile(ctx, agentOf(request), sha256);
      const size = allowed ? await ctx.packageFiles.size(sha256) : null;
      if (size === null) throw notFound('file', sha256);
      reply.header('accept-ranges', 'bytes').header('etag', `"${sha256}"`).type('application/octet-stream');
      const range = parseByteRange(request.headers.range, size);
      if (range === 'unsatisfiable') {
        reply.header('content-range', `bytes */${size}`);
        throw new TaskwardenError('range_not_satisfiable', `the file has ${size} bytes`);
      }
      const path = ctx.packageFiles.pathOf(sha256);
      if (range === 'whole') return reply.header('content-length', size).send(createReadStream(path));
      const { start, end } = range;
      return reply
        .code(206)
        .header('content-range', `bytes ${start}-${end}/${size}`)
        .header('content-length', end - start + 1)
        .send(createReadStream(path, { start, end }));
    },
  );
};
