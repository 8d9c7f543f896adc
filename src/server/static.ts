import { existsSync, statSync } from 'node:fs';
import { join, normalize, relative, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { TaskwardenError } from '../core/errors.ts';

/** Where `npm run build` puts the web UI (web/vite.config.ts). */
export const WEB_DIST = resolve(import.meta.dirname, '../../web/dist');

/** Paths that belong to the API side: an unknown one is a JSON 404, never the UI's page. */
const API_PREFIXES = ['/api/', '/agent/', '/metrics', '/health'];

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Taskwarden</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>Taskwarden</h1>
<p>The server is running, but the web UI is not built.</p>
<p>Build it once with <code>npm run build</code> (it writes <code>web/dist</code>), then reload this page.</p>
<p>The REST API is at <a href="/api/docs">/api/docs</a>.</p>
</body></html>`;

/**
 * Serves the monitoring UI from `root` at `/`: a file when one matches the path, else
 * index.html (the UI routes in the browser). Hashed assets are cached for good, the page
 * never, so a new build is picked up on the next load. Everything here is public: the
 * UI holds no data, the API behind it checks every call.
 */
export async function installWebUi(app: FastifyInstance, root: string = WEB_DIST): Promise<void> {
  const built = existsSync(join(root, 'index.html'));
  if (built) await app.register(fastifyStatic, { root, serve: false });
  app.get('/*', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    // The wildcard parameter is the path already decoded by the router.
    const path = `/${(request.params as { '*': string })['*']}`;
    if (API_PREFIXES.some((prefix) => path.startsWith(prefix))) {
      throw new TaskwardenError('not_found', `no route ${request.method} ${path}`);
    }
    if (!built) return reply.type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    const file = fileUnder(root, path);
    // Vite names every file under assets/ by its content hash: it can be cached for good.
    if (file && path.startsWith('/assets/')) return reply.sendFile(file, root, { maxAge: '1y', immutable: true });
    reply.header('cache-control', 'no-cache');
    return reply.sendFile(file ?? 'index.html', root, { cacheControl: false });
  });
}

/** The regular file `path` names inside `root`, relative to it, or null (also for anything escaping root). */
function fileUnder(root: string, path: string): string | null {
  const file = normalize(join(root, path));
  if (!file.startsWith(root + sep)) return null;
  try {
    return statSync(file).isFile() ? relative(root, file) : null;
  } catch {
    return null;
  }
}
