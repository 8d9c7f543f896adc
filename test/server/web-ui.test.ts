// The web UI is served at / from its build folder, with the SPA fallback; API paths keep JSON 404s.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandling } from '../../src/server/errors.ts';
import { installRouteAuthCheck } from '../../src/server/route-auth.ts';
import { installWebUi } from '../../src/server/static.ts';

async function appServing(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  installRouteAuthCheck(app);
  installErrorHandling(app);
  await installWebUi(app, root);
  await app.ready();
  return app;
}

describe('web UI', () => {
  let dir: string;
  let built: FastifyInstance;
  let missing: FastifyInstance;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taskwarden-web-'));
    const dist = join(dir, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>Taskwarden UI</title>');
    await writeFile(join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'outside the root');
    built = await appServing(dist);
    missing = await appServing(join(dir, 'nothing-here'));
  });
  after(async () => {
    await built.close();
    await missing.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('/ and any UI path answer index.html, never cached', async () => {
    for (const url of ['/', '/tasks/123', '/runs?status=error']) {
      const res = await built.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.body, /Taskwarden UI/);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.equal(res.headers['cache-control'], 'no-cache');
    }
  });

  test('hashed assets are served as files, cached for good', async () => {
    const res = await built.inject({ method: 'GET', url: '/assets/app-1234.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'console.log(1)');
    assert.match(String(res.headers['cache-control']), /max-age=31536000.*immutable/);
  });

  test('unknown API paths stay JSON 404s; nothing outside the root is served', async () => {
    for (const url of ['/api/v1/nope', '/agent/v1/nope', '/metrics/x']) {
      const res = await built.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, 'not_found');
    }
    const outside = await built.inject({ method: 'GET', url: '/..%2fsecret.txt' });
    assert.doesNotMatch(outside.body, /outside the root/);
  });

  test('without a build, / says how to build the UI', async () => {
    const res = await missing.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /npm run build/);
  });

  test('the UI routes are the only public ones it adds', () => {
    const routes = built.declaredRoutes.map((r) => `${r.method} ${r.url} ${r.auth}`);
    assert.deepEqual(routes.sort(), ['GET /* public', 'HEAD /* public']);
  });
});
