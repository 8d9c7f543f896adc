import { TaskwardenError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Agent, EnrolmentToken } from '../core/model.ts';
import type { AgentPatch, Store, StoreSession } from '../core/ports/store.ts';
import { checkTimeZone } from '../core/schedule/agent-local.ts';
import type { EnrolBody } from '../protocol/agent.ts';
import { newAgentSecret } from './agent-auth.ts';
import { hashSecret } from './secrets.ts';
import { checkWakeUrl } from './wake-url.ts';

/** How often a new agent contacts the server, unless an administrator changes it. */
export const DEFAULT_CONTACT_SECONDS = 60;

const REFUSED = 'the enrolment token is invalid, expired, used up or revoked';

export interface EnrolRequest {
  body: EnrolBody;
  /** The address the request came from: the only place a wake URL may point at. */
  from: string;
  now: number;
}

/**
 * Enrolment: an enrolment token (org-bound, expiring, limited uses) plus the device's
 * stable id buy an agent id and a new secret. In one transaction: the agent, then the
 * token's use. A device the org already knows is refused (409, nothing written, no use spent) —
 * holding a token never lets anyone take over an agent — unless an administrator allowed it
 * to enrol again (a reinstalled machine): then it is the same agent, with its history and
 * pending jobstates, a new secret (the old one stops working), and the leave used up.
 * Tags: the token's (re-enrolling: added to the ones admins gave it); the ones the agent
 * asks for are kept as `requestedTags` for an admin to adopt, and target nothing.
 */
export async function enrolAgent(
  store: Store,
  { body, from, now }: EnrolRequest,
): Promise<{ agent: Agent; secret: string; created: boolean }> {
  const wakeUrl = body.wakeUrl === undefined ? null : checkWakeUrl(body.wakeUrl, { field: 'wakeUrl', from });
  const timezone = body.timezone === undefined ? null : checkTimeZone(body.timezone, 'timezone');
  const token = await store.enrolmentTokens.findByHash(hashSecret(body.token));
  // Refused before anything is looked up: a token that cannot enrol learns nothing of the org's devices.
  if (!token || !usable(token, now)) throw new TaskwardenError('unauthorized', REFUSED);
  const secret = newAgentSecret();
  const refused = (): never => {
    throw new TaskwardenError('unauthorized', REFUSED);
  };
  return store.transaction(async (tx) => {
    const enrolled = await writeThenSpendUse(tx, { token, now, refused }, () =>
      enrolWithToken(tx, { token, body, secret, wakeUrl, timezone, now }),
    );
    return { ...enrolled, secret };
  });
}

/**
 * `write`, then one use of `token`, in `tx`. The use comes last: its conditional UPDATE
 * locks the token's row until the commit (where rows lock), and every enrolment with that
 * token waits for it. Taken first, the lock also spanned the agent's reads and writes, and
 * 1,000 agents enrolling at once with one token queued on it (PostgreSQL: 21 ms of lock wait
 * per enrolment). A token used up meanwhile calls `refused`, whose throw rolls `write` back.
 */
export async function writeThenSpendUse<T>(
  tx: StoreSession,
  use: { token: EnrolmentToken; now: number; refused: () => never },
  write: () => Promise<T>,
): Promise<T> {
  const written = await write();
  if (!(await tx.enrolmentTokens.consume(use.token.id, use.now))) use.refused();
  return written;
}

const usable = (token: EnrolmentToken, now: number) =>
  token.usesLeft > 0 && token.expiresAt > now && token.revokedAt === null;

interface TokenEnrolment {
  token: EnrolmentToken;
  body: EnrolBody;
  secret: string;
  wakeUrl: string | null;
  timezone: string | null;
  now: number;
}

/** The agent the enrolment makes (or makes again, with an administrator's leave), in `tx`. */
async function enrolWithToken(
  tx: StoreSession,
  { token, body, secret, wakeUrl, timezone, now }: TokenEnrolment,
): Promise<{ agent: Agent; created: boolean }> {
  const fields = {
    requestedTags: [...new Set(body.tags ?? [])],
    secretHash: hashSecret(secret),
    wakeUrl,
    enrolmentTokenId: token.id,
    ...(timezone === null ? {} : { timezone }),
  } satisfies AgentPatch;
  const known = await tx.agents.getByDevice(token.orgId, body.deviceId);
  if (known) {
    await requireReenrolmentLeave(tx, known, now);
    const patch = {
      ...fields,
      kind: 'taskwarden',
      name: body.name ?? known.name,
      tags: withTokenTags(known.tags, token),
      version: body.version ?? known.version,
      modules: body.modules ?? known.modules,
    } satisfies AgentPatch;
    await tx.agents.update(known.id, patch);
    return { agent: { ...known, ...patch, reenrolUntil: null }, created: false };
  }
  const agent: Agent = {
    ...fields,
    id: newId(),
    orgId: token.orgId,
    kind: 'taskwarden',
    deviceId: body.deviceId,
    name: body.name ?? body.deviceId,
    tags: withTokenTags([], token),
    enabled: true,
    version: body.version ?? null,
    modules: body.modules ?? [],
    contactSeconds: DEFAULT_CONTACT_SECONDS,
    lastContactAt: null,
    lastWakeError: null,
    lastWakeErrorAt: null,
    reenrolUntil: null,
    createdAt: now,
  };
  return { agent: await tx.agents.create(agent), created: true };
}

/**
 * A device the org knows enrols again only with an administrator's leave, which this uses
 * up; otherwise 409 `agent_already_enrolled`. Thrown inside the enrolment's transaction,
 * the refusal also gives the token's use back.
 */
export async function requireReenrolmentLeave(tx: StoreSession, known: Agent, now: number): Promise<void> {
  if (await tx.agents.takeReenrolment(known.id, now)) return;
  throw new TaskwardenError(
    'agent_already_enrolled',
    `device "${known.deviceId}" is already enrolled in this org: to enrol it again (a reinstalled machine), ` +
      'an administrator must first allow it (the agent page, `taskwarden agent allow-reenrol ID`, ' +
      'or POST /api/v1/agents/:id/allow-reenrol)',
  );
}

export function withTokenTags(tags: readonly string[], token: EnrolmentToken): string[] {
  return [...new Set([...tags, ...token.tags])];
}
