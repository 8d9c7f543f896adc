import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.ts';
import { isStoreOutage, TaskwardenError } from '../core/errors.ts';
import type { Role } from '../core/model.ts';
import type { ApiToken, Store, User } from '../core/ports/store.ts';
import { agentCredentials, authenticateAgent } from './agent-auth.ts';
import { authenticateFusionInventory } from './fusioninventory/auth.ts';
import { checkSameOrigin } from './origin-check.ts';
import { hashSecret } from './secrets.ts';

/**
 * Who may call a route, declared in its options (`config: { auth: 'operator' }`) and
 * enforced by the one onRequest hook below. A level admits its role and every role above:
 * viewer < operator < org-admin < admin. `public` needs no credentials (health, login, docs).
 * `agent` is the agent protocol: an agent's credential, never a user's (agent-auth.ts).
 * `fusioninventory` is the FusionInventory agents' endpoint: HTTP basic auth with an
 * enrolment token (fusioninventory/auth.ts).
 */
export type AuthLevel = 'public' | 'agent' | 'fusioninventory' | 'viewer' | 'operator' | 'org-admin' | 'admin';
export const AUTH_LEVELS: readonly AuthLevel[] = [
  'public',
  'agent',
  'fusioninventory',
  'viewer',
  'operator',
  'org-admin',
  'admin',
];

export interface Principal {
  user: User;
  token: ApiToken;
  via: 'bearer' | 'cookie';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthLevel;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const SESSION_COOKIE = 'taskwarden_session';
/** Writing last-used on every request would make every read a write; once a minute is enough. */
const TOUCH_INTERVAL_MS = 60_000;

const RANK: Record<Role, number> = { viewer: 1, operator: 2, 'org-admin': 3, admin: 4 };

function roleAtLeast(role: Role, level: Exclude<AuthLevel, 'public' | 'agent' | 'fusioninventory'>): boolean {
  return RANK[role] >= RANK[level];
}

export function installAuth(app: FastifyInstance, deps: { store: Store; clock: Clock }): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('agent', null);
  app.decorateRequest('fusionInventoryToken', null);
  const credentials = agentCredentials(deps.store);
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    // A route that forgot to declare its level is admin-only: failing closed beats leaking.
    const level = request.routeOptions.config.auth ?? 'admin';
    if (level === 'public') return;
    if (level === 'agent') {
      request.agent = await authenticateAgent(request, credentials);
      return;
    }
    if (level === 'fusioninventory') {
      request.fusionInventoryToken = await authenticateFusionInventory(request, reply, deps.store);
      return;
    }
    const principal = await authenticate(request, deps);
    if (!principal) {
      throw new TaskwardenError('unauthorized', 'authentication required: send "Authorization: Bearer <token>"');
    }
    if (principal.via === 'cookie') checkSameOrigin(request);
    request.principal = principal;
    if (!roleAtLeast(principal.user.role, level)) {
      throw new TaskwardenError('forbidden', `this needs the ${level} role; you are ${principal.user.role}`);
    }
  });
}

/** The caller of an authenticated route; the hook guarantees it is set. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new TaskwardenError('unauthorized', 'authentication required');
  return request.principal;
}

async function authenticate(request: FastifyRequest, deps: { store: Store; clock: Clock }): Promise<Principal | null> {
  const credential = credentialOf(request);
  if (!credential) return null;
  const token = await deps.store.tokens.findByHash(hashSecret(credential.secret));
  const now = deps.clock.now();
  const user = token && (await deps.store.users.get(token.userId));
  if (!token || !user || !tokenUsable(token, now) || user.disabled) {
    throw new TaskwardenError('unauthorized', 'the token is invalid, expired or revoked');
  }
  const touchDue = token.lastUsedAt === null || now - token.lastUsedAt >= TOUCH_INTERVAL_MS;
  // Last-used is a hint: a store that cannot write just now (locked, away) must not refuse a read.
  if (touchDue) await deps.store.tokens.touch(token.id, now).catch(ignoreStoreOutage);
  return { user, token, via: credential.via };
}

function ignoreStoreOutage(err: unknown): void {
  if (!isStoreOutage(err)) throw err;
}

function tokenUsable(token: ApiToken, now: number): boolean {
  return token.revokedAt === null && (token.expiresAt === null || token.expiresAt > now);
}

function credentialOf(request: FastifyRequest): { secret: string; via: Principal['via'] } | null {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new TaskwardenError('unauthorized', 'the Authorization header must be "Bearer <token>"');
    return { secret: match[1] as string, via: 'bearer' };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  return cookie ? { secret: cookie, via: 'cookie' } : null;
}
