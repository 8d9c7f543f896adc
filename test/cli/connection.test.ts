// Where client commands go by default: the server their data folder names (server.json),
// TASKWARDEN_PORT replacing its port, an HTTPS server at its public name; the flags and
// TASKWARDEN_URL before all of it, the org from --org or TASKWARDEN_ORG.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from '../../src/cli/connection.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-connection-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const folder = async (name: string, server: object) => {
  const data = join(dir, name);
  await mkdir(data);
  await writeFile(join(data, 'server.json'), JSON.stringify(server));
  await writeFile(join(data, 'admin.token'), 'tw_admin-token\n');
  return data;
};

test('the data folder names the server and its token; TASKWARDEN_PORT replaces the port', async () => {
  const data = await folder('plain', { url: 'http://127.0.0.1:9123' });
  assert.equal(connect({ data }, {}).http.server, 'http://127.0.0.1:9123');
  assert.equal(connect({ data }, { TASKWARDEN_PORT: '9200' }).http.server, 'http://127.0.0.1:9200');
  assert.equal(connect({ data: join(dir, 'none') }, {}).http.server, 'http://127.0.0.1:8080');
  assert.equal(connect({ data: join(dir, 'none') }, { TASKWARDEN_PORT: '9300' }).http.server, 'http://127.0.0.1:9300');
  assert.equal(connect({ data, server: 'http://a:1' }, { TASKWARDEN_URL: 'http://b:2' }).http.server, 'http://a:1');
  assert.equal(connect({ data }, { TASKWARDEN_URL: 'http://b:2' }).http.server, 'http://b:2');
  assert.throws(() => connect({ data }, { TASKWARDEN_PORT: 'eighty' }), {
    message: /^TASKWARDEN_PORT: "eighty" is not a port/,
  });
});

test('an HTTPS server with a publicUrl is reached at that name, which its certificate is for', async () => {
  const data = await folder('tls', { url: 'https://127.0.0.1:8443', publicUrl: 'https://tw.example.org:8443' });
  assert.equal(connect({ data }, {}).http.server, 'https://tw.example.org:8443');
  const plain = await folder('proxied', { url: 'http://127.0.0.1:8080', publicUrl: 'https://tw.example.org' });
  assert.equal(
    connect({ data: plain }, {}).http.server,
    'http://127.0.0.1:8080',
    'behind a proxy: straight to the port',
  );
});

test('the org: --org, else TASKWARDEN_ORG', () => {
  assert.equal(connect({ org: 'acme' }, { TASKWARDEN_ORG: 'beta' }).org, 'acme');
  assert.equal(connect({}, { TASKWARDEN_ORG: 'beta' }).org, 'beta');
  assert.equal(connect({}, {}).org, undefined);
});
