import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServerContext } from '../../context.ts';
import { agentVersionOf, fusionInventoryAgent } from '../../fusioninventory/agents.ts';
import { ArchiveParts } from '../../fusioninventory/archive-parts.ts';
import { fusionInventoryTokenOf } from '../../fusioninventory/auth.ts';
import { decodeMessage, MESSAGE_CONTENT_TYPES } from '../../fusioninventory/body.ts';
import { DEFAULT_FUSIONINVENTORY_PATH } from '../../fusioninventory/path.ts';
import { XmlReader } from '../../fusioninventory/xml-reader.ts';
import { deployRoutes } from './deploy.ts';
import type { FusionRouteDeps } from './deps.ts';
import { fileRoutes } from './files.ts';
import { messageRoutes } from './messages.ts';

/**
 * A message as sent, and inflated: an inventory with its software list runs to a few
 * hundred KiB, a big server's to a couple of MiB. Inflating runs on zlib's thread pool and
 * parsing on a worker thread (XmlReader), at about 0.2 s of CPU per MiB (measured: 8 MiB ≈
 * 1.3 s), so this bound is what one message may cost the node's CPU. Beyond it: 413,
 * decided while inflating (a small compressed body inflating to 59 MB once held the node
 * up ~40 s, when both ran on the event loop).
 */
export const MESSAGE_TEXT_LIMIT = 8 * 1024 * 1024;
const MESSAGE_BODY_LIMIT = MESSAGE_TEXT_LIMIT;

/**
 * The endpoint unmodified FusionInventory agents talk to (`--server <url><path>`): the XML
 * messages (messages.ts), the Deploy task's REST calls (deploy.ts) and the package parts
 * it downloads (files.ts). All of it takes HTTP basic auth with an enrolment token
 * (`auth: 'fusioninventory'`), checked before a body is read.
 */
export const fusionInventoryRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, ctx) => {
  const path = ctx.fusionInventoryPath ?? DEFAULT_FUSIONINVENTORY_PATH;
  // Scoped to this plugin: everywhere else bodies stay JSON only.
  app.addContentTypeParser(
    [...MESSAGE_CONTENT_TYPES],
    { parseAs: 'buffer', bodyLimit: MESSAGE_BODY_LIMIT },
    async (_request: unknown, body: string | Buffer) => decodeMessage(body as Buffer, MESSAGE_TEXT_LIMIT),
  );
  const xml = new XmlReader();
  app.addHook('onClose', () => xml.close());
  const deps: FusionRouteDeps = {
    store: ctx.store,
    engine: ctx.engine,
    clock: ctx.clock,
    modules: ctx.modules,
    services: ctx.engine.ctx.services,
    parts: ctx.packageFiles ? new ArchiveParts(ctx.packageFiles) : null,
    path,
    xml,
    agentOf: (request, deviceId) =>
      fusionInventoryAgent(
        ctx,
        {
          token: fusionInventoryTokenOf(request),
          deviceId,
          version: agentVersionOf(request.headers['user-agent']),
        },
        ctx.clock.now(),
      ),
    baseUrl: (request) => `${request.protocol}://${request.host}${path}`,
  };
  messageRoutes(app, deps);
  deployRoutes(app, deps);
  fileRoutes(app, deps);
};
