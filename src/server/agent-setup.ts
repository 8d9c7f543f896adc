import type { FastifyRequest } from 'fastify';
import type { AgentSetup } from '../protocol/agents.ts';
import type { ServerContext } from './context.ts';
import { DEFAULT_FUSIONINVENTORY_PATH } from './fusioninventory/path.ts';

/** Where the token is saved on the PC: root's, and only root's (the install runs as root). */
const TOKEN_FILE = '/root/taskwarden-enrolment.token';

/**
 * What to run on a PC with a new enrolment token: a Taskwarden agent installed as a service,
 * or a FusionInventory agent's agent.cfg (user = the token's id, password = the token). The
 * token goes through a file, never an argument another local user could read in `ps`.
 */
export function agentSetup(
  ctx: Pick<ServerContext, 'publicUrl' | 'fusionInventoryPath'>,
  request: FastifyRequest,
  created: { id: string; token: string },
): AgentSetup {
  const serverUrl = (ctx.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
  const fiPath = ctx.fusionInventoryPath ?? DEFAULT_FUSIONINVENTORY_PATH;
  return {
    serverUrl,
    agentCommand: [
      '# on the PC, as root, in a Taskwarden checkout (Node.js 20, after npm ci):',
      `(umask 077; printf '%s\\n' '${created.token}' > ${TOKEN_FILE})`,
      `npx taskwarden agent install --server ${serverUrl} --token-file ${TOKEN_FILE}`,
    ].join('\n'),
    fusionInventoryConfig: [
      `server = ${serverUrl}${fiPath}`,
      `user = ${created.id}`,
      `password = ${created.token}`,
    ].join('\n'),
  };
}
