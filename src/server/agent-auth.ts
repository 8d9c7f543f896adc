import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { TaskwardenError } from '../core/errors.ts';
import type { Agent } from '../core/model.ts';
import type { Store } from '../core/ports/store.ts';
import { TurnReads } from '../core/turn-reads.ts';
import { hashSecret } from './secrets.ts';

/**
 * The agent credential: `Authorization: Bearer <agentId>.<secret>`. The secret (base64url,
 * so it holds no ".") is looked up by its SHA-256 and must belong to the agent the id names:
 * an agent is who its credential says, whatever ids its bodies carry. A user's API token
 * is no agent credential, nor the reverse. A disabled agent's credential is refused (403).
 */
declare module 'fastify' {
  interface FastifyRequest {
    agent: Agent | null;
  }
}

const CREDENTIAL = /^Bearer\s+([^.\s]{1,100})\.([A-Za-z0-9_-]{16,200})\s*$/i;

/**
 * The agents of credentials, each read with the other requests' of the same turn (TurnReads):
 * a fleet's contacts arriving together authenticate in one statement, not one each.
 */
export function agentCredentials(store: Store): TurnReads<Agent> {
  return new TurnReads(async (hashes) => {
    const agents = await store.agents.getManyBySecretHash(hashes);
    return new Map(agents.map((agent) => [agent.secretHash, agent]));
  });
}

export async function authenticateAgent(request: FastifyRequest, credentials: TurnReads<Agent>): Promise<Agent> {
  const header = request.headers.authorization;
  if (header === undefined) {
    throw new TaskwardenError(
      'unauthorized',
      'agent authentication required: send "Authorization: Bearer <agentId>.<secret>"',
    );
  }
  const match = CREDENTIAL.exec(header);
  const agent = match ? await credentials.get(hashSecret(match[2] as string)) : null;
  if (!match || !agent || agent.id !== match[1]) {
    throw new TaskwardenError('unauthorized', 'the agent credential is invalid (re-enrol the agent)');
  }
  // Disabling locks the machine out of every agent route (files, events), not only out of new work.
  if (!agent.enabled)
    throw new TaskwardenError('agent_disabled', 'this agent is disabled: an administrator must enable it');
  return agent;
}

/** The calling agent of an `agent` route; the auth hook guarantees it is set. */
export function agentOf(request: FastifyRequest): Agent {
  if (!request.agent) throw new TaskwardenError('unauthorized', 'agent authentication required');
  return request.agent;
}

/** A new agent secret: 256 random bits, base64url (never a "."), shown once at enrolment. */
export function newAgentSecret(): string {
  return randomBytes(32).toString('base64url');
}
