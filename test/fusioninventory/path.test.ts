// Where the endpoint lives: GLPI's plugin path by default, TASKWARDEN_FI_PATH elsewhere.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveServerConfig } from '../../src/server/config.ts';
import { startServer } from '../../src/server/start.ts';

test('TASKWARDEN_FI_PATH moves the endpoint; it must be a plain absolute path outside the API', () => {
  const resolve = (value: string) => resolveServerConfig({}, { TASKWARDEN_FI_PATH: value }, '/srv').fusionInventoryPath;
  assert.equal(resolveServerConfig({}, {}, '/srv').fusionInventoryPath, undefined);
  assert.equal(resolve('/glpi/plugins/fusioninventory'), '/glpi/plugins/fusioninventory/');
  assert.equal(resolve('/fi/'), '/fi/');
  for (const bad of ['fi', '/', '/a/../b', '/a b', '/api/fi', '/agent/', '/fi?x=1']) {
    assert.throws(() => resolve(bad), /^ValidationError: TASKWARDEN_FI_PATH/, bad);
  }
});

test('a server with another path serves agents there, and not at the default one', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'taskwarden-fi-path-'));
  const server = await startServer({
    dataDir,
    dbUrl: `sqlite:${join(dataDir, 'taskwarden.db')}`,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    bodyLimit: 1024 * 1024,
    fusionInventoryPath: '/glpi/fi/',
  });
  try {
    for (const url of ['/glpi/fi/', '/glpi/fi']) {
      const moved = await fetch(`${server.url}${url}`, { method: 'POST', body: '<REQUEST/>' });
      assert.equal(moved.status, 401, url);
      assert.equal(moved.headers.get('www-authenticate'), 'Basic realm="Taskwarden"');
    }
    const old = await fetch(`${server.url}/plugins/fusioninventory/`, { method: 'POST', body: '<REQUEST/>' });
    assert.equal(old.status, 404);
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
