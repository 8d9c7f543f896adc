import type { FastifyRequest } from 'fastify';
import { TaskwardenError } from '../core/errors.ts';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery: a browser attaches the session cookie to requests other pages
 * make too — a form, or a body-less `fetch` that needs no CORS preflight — and SameSite=Strict
 * does not stop a sibling site under the same domain. So a write authenticated by the cookie
 * must show it comes from this server's own pages: `Sec-Fetch-Site: same-origin` where the
 * browser sends it (current ones do), else an Origin — or, without one, a Referer — naming
 * this server as the request reached it (scheme and host; behind a trusted proxy its
 * X-Forwarded-Proto/-Host). A write with neither is refused as well: browsers send Origin
 * with every POST, PUT, PATCH and DELETE. Bearer tokens are never attached by a browser on
 * its own, so requests carrying one are not checked (auth.ts calls this for cookies only).
 */
export function checkSameOrigin(request: FastifyRequest): void {
  if (READ_METHODS.has(request.method)) return;
  const site = headerOf(request, 'sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin') return;
    throw refused(`the browser says it is ${site}`);
  }
  const claimed = headerOf(request, 'origin') ?? headerOf(request, 'referer');
  if (claimed === undefined) throw refused('it has neither Origin nor Referer');
  const own = originOf(`${request.protocol}://${request.host}`);
  const from = originOf(claimed);
  if (own === null || from !== own) throw refused(`it comes from ${from ?? 'an unreadable origin'}, not ${own}`);
}

function refused(why: string): TaskwardenError {
  return new TaskwardenError(
    'cross_origin',
    `a write with the session cookie must come from this server's own pages; ${why}. ` +
      'Scripts use an API token; behind a reverse proxy, pass the Host header and set trust-proxy',
  );
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
