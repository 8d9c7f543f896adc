import { TaskwardenError, ValidationError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Agent } from '../core/model.ts';
import type { AgentPatch, Store } from '../core/ports/store.ts';
import type { EnrolBody } from '../protocol/agent.ts';
import { newAgentSecret } from './agent-auth.ts';
import { hashSecret } from './secrets.ts';

/** How often a new agent contacts the server, unless an administrator changes it. */
export const DEFAULT_CONTACT_SECONDS = 60;

const REFUSED = 'the enrolment token is invalid, expired, used up or revoked';

/**
 * Enrolment: an enrolment token (org-bound, expiring, limited uses) plus the device's
 * stable id buy an agent id and a new secret. In one transaction: the token's use, then
 * the agent — created, or, for a device the org already knows, the same agent with a new
 * secret (the old one stops working) and its pending jobstates untouched. A refused token
 * writes nothing. Tags: the token's, the ones the agent asks for, and (re-enrolling) the
 * ones it had.
 */
export async function enrolAgent(
  store: Store,
  body: EnrolBody,
  now: number,
): Promise<{ agent: Agent; secret: string; created: boolean }> {
  const wakeUrl = body.wakeUrl === undefined ? undefined : parseWakeUrl(body.wakeUrl, 'wakeUrl');
  const token = await store.enrolmentTokens.findByHash(hashSecret(body.token));
  if (!token) throw new TaskwardenError('unauthorized', REFUSED);
  const secret = newAgentSecret();
  const enrolled = await store.transaction(async (tx) => {
    if (!(await tx.enrolmentTokens.consume(token.id, now))) return null;
    const known = await tx.agents.getByDevice(token.orgId, body.deviceId);
    const fields = {
      name: body.name ?? known?.name ?? body.deviceId,
      tags: [...new Set([...(known?.tags ?? []), ...token.tags, ...(body.tags ?? [])])],
      secretHash: hashSecret(secret),
      version: body.version ?? known?.version ?? null,
      modules: body.modules ?? known?.modules ?? [],
      wakeUrl: wakeUrl === undefined ? (known?.wakeUrl ?? null) : wakeUrl,
    } satisfies AgentPatch;
    if (known) {
      await tx.agents.update(known.id, fields);
      return { agent: { ...known, ...fields }, created: false };
    }
    const agent: Agent = {
      id: newId(),
      orgId: token.orgId,
      kind: 'taskwarden',
      deviceId: body.deviceId,
      enabled: true,
      contactSeconds: DEFAULT_CONTACT_SECONDS,
      lastContactAt: null,
      lastWakeError: null,
      lastWakeErrorAt: null,
      createdAt: now,
      ...fields,
    };
    return { agent: await tx.agents.create(agent), created: true };
  });
  if (!enrolled) throw new TaskwardenError('unauthorized', REFUSED);
  return { ...enrolled, secret };
}

/**
 * Where an agent listens for push wakes: an http(s) origin, optionally with a path, and
 * nothing the server would have to interpret (no credentials, query or fragment).
 */
export function parseWakeUrl(value: string | null, field: string): string | null {
  if (value === null) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(field, `"${value}" is not a URL (expected http://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError(field, 'must be http or https');
  if (url.username || url.password || url.search || url.hash) {
    throw new ValidationError(field, 'must have no credentials, query or fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
