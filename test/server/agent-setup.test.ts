// A new enrolment token comes with the lines that use it on a PC, naming the server at its
// publicUrl (what PCs reach), else at the URL the request came to.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveServerConfig } from '../../src/server/config.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';

describe('agent setup lines of a new enrolment token', () => {
  let dir: string;
  let server: RunningServer;
  let admin: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-setup-'));
    const env = {
      TASKWARDEN_LOG_LEVEL: 'silent',
      TASKWARDEN_PUBLIC_URL: 'https://tw.example.org/',
      TASKWARDEN_FI_PATH: '/glpi/fi/',
    };
    server = await startServer(resolveServerConfig({ data: join(dir, 'data'), port: '0' }, env, dir));
    admin = (await readFile(join(dir, 'data', 'admin.token'), 'utf8')).trim();
    await fetch(`${server.url}/api/v1/orgs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'acme' }),
    });
  });
  after(async () => {
    await server?.close(1_000);
    await rm(dir, { recursive: true, force: true });
  });

  test('publicUrl and the FusionInventory path are in the lines; the token reaches the PC through a file', async () => {
    const res = await fetch(`${server.url}/api/v1/enrolment-tokens?org=acme`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ uses: 2, expiresIn: '1d' }),
    });
    assert.equal(res.status, 201);
    const created = (await res.json()) as { id: string; token: string; setup: Record<string, string> };
    assert.equal(created.setup.serverUrl, 'https://tw.example.org');
    assert.equal(
      created.setup.fusionInventoryConfig,
      `server = https://tw.example.org/glpi/fi/\nuser = ${created.id}\npassword = ${created.token}`,
    );
    const lines = created.setup.agentCommand?.split('\n') ?? [];
    assert.equal(lines[1], `(umask 077; printf '%s\\n' '${created.token}' > /root/taskwarden-enrolment.token)`);
    assert.equal(
      lines[2],
      'npx taskwarden agent install --server https://tw.example.org --token-file /root/taskwarden-enrolment.token',
    );
    const listed = await fetch(`${server.url}/api/v1/enrolment-tokens`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.doesNotMatch(await listed.text(), /twe_|setup/, 'the token and its lines are in the creation answer only');
  });
});
