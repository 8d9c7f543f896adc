import type { CookieSerializeOptions } from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { TaskwardenError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { LoginBody, LoginResponse } from '../../protocol/users.ts';
import { principalOf, SESSION_COOKIE } from '../auth.ts';
import { clientKey } from '../client-address.ts';
import type { ServerContext } from '../context.ts';
import { LoginLockouts, loginRateLimit, nameLockedError } from '../login-throttle.ts';
import { hashSecret, newSecret, verifyPassword } from '../secrets.ts';
import { iso, userView } from '../views.ts';

/** A browser session is an API token named "session" that expires after this, carried in a cookie. */
const SESSION_TTL_MS = 12 * 3600 * 1000;
const SESSION_TOKEN_NAME = 'session';

/**
 * The session cookie's attributes: HttpOnly (scripts cannot read it), SameSite=Strict
 * (other sites cannot send it), and Secure whenever the request came over TLS — directly or
 * through a trusted proxy's X-Forwarded-Proto (trust-proxy) — so the browser never sends it
 * over plain HTTP. Writes made with it must come from our own pages (origin-check.ts).
 */
function sessionCookie(request: FastifyRequest): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', path: '/' };
}

/**
 * Password login for the web UI. Guessing is throttled per address and per name
 * (login-throttle.ts); a locked name is refused before its password is checked.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, clock, limits }) => {
  await app.register(fastifyRateLimit, { global: false });
  const lockouts = new LoginLockouts(limits.loginFailuresPerName, limits.loginNameWindowMs);
  app.post(
    '/api/v1/login',
    {
      config: { auth: 'public', rateLimit: loginRateLimit(limits) },
      schema: { tags: ['sessions'], security: [], body: LoginBody, response: { 200: LoginResponse } },
    },
    async (request, reply) => {
      const { name, password } = request.body;
      const address = clientKey(request.ip);
      const wait = lockouts.waitMs(name, address, clock.monotonic());
      if (wait > 0) {
        const { error, retryAfter } = nameLockedError(name, wait);
        reply.header('retry-after', retryAfter);
        throw error;
      }
      const user = await store.users.getByName(name);
      // Checked even without a user, so a wrong name and a wrong password take as long.
      const passwordOk = await verifyPassword(user?.passwordHash ?? null, password);
      if (!user || !passwordOk || user.disabled) {
        if (lockouts.fail(name, clock.monotonic())) {
          request.log.warn({ event: 'login_lockout', name, address }, 'login locked for a user name');
        }
        throw new TaskwardenError('unauthorized', 'wrong name or password');
      }
      lockouts.succeed(name, address);
      const now = clock.now();
      const secret = newSecret();
      const expiresAt = now + SESSION_TTL_MS;
      await store.tokens.create({
        id: newId(),
        userId: user.id,
        name: SESSION_TOKEN_NAME,
        hash: hashSecret(secret),
        createdAt: now,
        expiresAt,
        revokedAt: null,
        lastUsedAt: null,
      });
      reply.setCookie(SESSION_COOKIE, secret, { ...sessionCookie(request), expires: new Date(expiresAt) });
      return { user: userView(user), expiresAt: iso(expiresAt) };
    },
  );

  app.post('/api/v1/logout', { config: { auth: 'viewer' }, schema: { tags: ['sessions'] } }, async (request, reply) => {
    const principal = principalOf(request);
    // Only the session ends; logging out must not revoke an API token used to call this.
    if (principal.via === 'cookie') await store.tokens.revoke(principal.token.id, clock.now());
    reply.clearCookie(SESSION_COOKIE, sessionCookie(request));
    return reply.code(204).send();
  });
};
