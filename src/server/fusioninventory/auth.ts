/**
 * The FusionInventory agent's credential: HTTP basic auth (--user, --password) with an
 * enrolment token of the org: user = the token's id, password = the token itself. It proves
 * the caller belongs to that org; which machine it is comes from the DEVICEID it sends, read
 * only within that org, and a DEVICEID the org does not know yet is enrolled with a use of
 * the token (agents.ts). A revoked token locks out every agent that uses it; an expired or
 * used-up one still serves the machines it already enrolled.
 *
 * The agent sends nothing until challenged: a 401 with `WWW-Authenticate: Basic realm=…`,
 * whose realm it reads to file its credentials, after which it replays the request
 * (HTTP/Client.pm). So a request without credentials is answered before its body is read.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TaskwardenError } from '../../core/errors.ts';
import type { EnrolmentToken } from '../../core/model.ts';
import type { Store } from '../../core/ports/store.ts';
import { hashSecret } from '../secrets.ts';

export const FUSIONINVENTORY_REALM = 'Taskwarden';

declare module 'fastify' {
  interface FastifyRequest {
    /** The enrolment token a FusionInventory agent authenticated with (`auth: 'fusioninventory'` routes). */
    fusionInventoryToken: EnrolmentToken | null;
  }
}

const BASIC = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i;

export async function authenticateFusionInventory(
  request: FastifyRequest,
  reply: FastifyReply,
  store: Store,
): Promise<EnrolmentToken> {
  const refuse = (message: string): never => {
    reply.header('www-authenticate', `Basic realm="${FUSIONINVENTORY_REALM}"`);
    throw new TaskwardenError('unauthorized', message);
  };
  const header = request.headers.authorization;
  if (header === undefined) {
    return refuse('authentication required: user = the enrolment token id, password = the enrolment token');
  }
  const match = BASIC.exec(header);
  const decoded = match ? Buffer.from(match[1] as string, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const token = colon > 0 && password !== '' ? await store.enrolmentTokens.findByHash(hashSecret(password)) : null;
  if (!token || token.id !== user || token.revokedAt !== null) {
    return refuse('the credential is no valid enrolment token (user = its id, password = the token)');
  }
  return token;
}

/** The token of an `auth: 'fusioninventory'` route; the auth hook guarantees it is set. */
export function fusionInventoryTokenOf(request: FastifyRequest): EnrolmentToken {
  if (!request.fusionInventoryToken) throw new TaskwardenError('unauthorized', 'authentication required');
  return request.fusionInventoryToken;
}
