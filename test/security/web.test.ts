// Attacks on the web edge (issue 12, item 5): the session cookie behind a TLS proxy,
// cross-origin writes with the cookie, files readable by other local users, terminal escape
// codes in names, and a run started twice by a retried request.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TaskwardenClient } from '../../src/client/api.ts';
import { newId } from '../../src/core/ids.ts';
import { resolveServerConfig } from '../../src/server/config.ts';
import { looseDataFolderWarnings } from '../../src/server/data-folder.ts';
import { startServer } from '../../src/server/start.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

const PASSWORD = 'correct horse battery';
const EVIL = 'https://evil.example';
/** What app.inject sends as Host, hence this server's own origin in these tests. */
const SELF = 'http://localhost';

interface Org {
  id: string;
  operator: string;
  orgAdmin: string;
}

async function setUpOrg(h: ServerHarness, name: string): Promise<Org> {
  const org = await h.createOrg(name);
  const orgAdmin = (await h.createUser(org.id, `${name}-admin`, 'org-admin')).token;
  const operator = (await h.createUser(org.id, `${name}-operator`, 'operator')).token;
  return { id: org.id, operator, orgAdmin };
}

/** A manual task of one server-side `noop` job: runs start and end at once, no catalog needed. */
function noopTask(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    schedule: { kind: 'manual' },
    jobs: [{ name: 'n', module: 'noop', targets: { server: true } }],
    ...extra,
  };
}

/** A user with a password, logged in: the session cookie a browser would hold. */
async function browserSession(
  h: ServerHarness,
  orgId: string,
  name: string,
  headers: Record<string, string> = {},
): Promise<{ cookie: string; setCookie: string }> {
  const body = { name, role: 'operator', password: PASSWORD };
  await h.expect(201, 'POST', `/api/v1/orgs/${orgId}/users`, { body });
  const login = await h.expect(200, 'POST', '/api/v1/login', {
    token: null,
    body: { name, password: PASSWORD },
    headers,
  });
  const setCookie = String(login.headers['set-cookie']);
  return { cookie: setCookie.split(';')[0] as string, setCookie };
}

async function runsOf(h: ServerHarness, taskId: string): Promise<{ id: string }[]> {
  return (await h.expect(200, 'GET', `/api/v1/tasks/${taskId}/runs`)).json.items;
}

describe('the session cookie behind a TLS proxy', () => {
  let behindProxy: ServerHarness;
  let direct: ServerHarness;
  let proxyOrg: string;
  let directOrg: string;
  before(async () => {
    behindProxy = await startServerHarness({ trustProxy: ['127.0.0.1'] });
    direct = await startServerHarness();
    proxyOrg = (await behindProxy.createOrg('proxied')).id;
    directOrg = (await direct.createOrg('direct')).id;
  });
  after(async () => {
    await behindProxy.cleanup();
    await direct.cleanup();
  });

  test('attack: login through a trusted TLS proxy (X-Forwarded-Proto: https) gets a cookie without Secure', async () => {
    const { setCookie } = await browserSession(behindProxy, proxyOrg, 'tls-user', { 'x-forwarded-proto': 'https' });
    assert.match(setCookie, /; Secure/, setCookie);
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Strict/);
    const logout = await behindProxy.expect(204, 'POST', '/api/v1/logout', {
      token: null,
      headers: {
        cookie: setCookie.split(';')[0] as string,
        host: 'tw.example',
        origin: 'https://tw.example',
        'x-forwarded-proto': 'https',
      },
    });
    assert.match(String(logout.headers['set-cookie']), /; Secure/);
  });

  test('without trust-proxy (the default) a client cannot claim https nor another address', async () => {
    const { setCookie, cookie } = await browserSession(direct, directOrg, 'plain-user', {
      'x-forwarded-proto': 'https',
    });
    assert.doesNotMatch(setCookie, /Secure/);
    // Nor another host: the origin check compares with the Host the request reached.
    const logout = await direct.call('POST', '/api/v1/logout', {
      token: null,
      headers: { cookie, origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' },
    });
    assert.equal(logout.status, 403);
  });

  test('a proxy that is not the trusted one cannot claim https', async () => {
    const login = await behindProxy.app.inject({
      method: 'POST',
      url: '/api/v1/login',
      remoteAddress: '192.0.2.7',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      payload: JSON.stringify({ name: 'tls-user', password: PASSWORD }),
    });
    assert.equal(login.statusCode, 200, login.body);
    assert.doesNotMatch(String(login.headers['set-cookie']), /Secure/);
  });
});

describe('cross-origin writes with the session cookie', () => {
  let h: ServerHarness;
  let org: Org;
  let cookie: string;
  let taskId: string;
  before(async () => {
    h = await startServerHarness();
    org = await setUpOrg(h, 'csrf');
    cookie = (await browserSession(h, org.id, 'victim')).cookie;
    taskId = (await h.expect(201, 'POST', '/api/v1/tasks', { token: org.operator, body: noopTask('target') })).json.id;
  });
  after(() => h.cleanup());

  const asBrowser = (headers: Record<string, string>) => ({ token: null, headers: { cookie, ...headers } });

  test('attack: a body-less POST from another site starts a run with the victim’s cookie', async () => {
    const before = (await runsOf(h, taskId)).length;
    const reply = await h.call('POST', `/api/v1/tasks/${taskId}/runs`, asBrowser({ origin: EVIL }));
    assert.equal(reply.status, 403, reply.body);
    assert.equal(reply.json.error.code, 'cross_origin');
    const crossSite = await h.call(
      'POST',
      `/api/v1/tasks/${taskId}/runs`,
      asBrowser({ origin: SELF, 'sec-fetch-site': 'same-site' }),
    );
    assert.equal(crossSite.status, 403, 'Sec-Fetch-Site says the page was not ours');
    assert.equal((await runsOf(h, taskId)).length, before, 'no run was started');
  });

  test('attack: without Origin, a foreign Referer or no header at all still writes', async () => {
    const url = `/api/v1/tasks/${taskId}/disable`;
    const attempts: Record<string, string>[] = [
      { referer: `${EVIL}/page` },
      {},
      { origin: 'null' },
      { origin: 'http://localhost:8080' },
    ];
    for (const headers of attempts) {
      const reply = await h.call('POST', url, asBrowser(headers));
      assert.equal(reply.status, 403, `${JSON.stringify(headers)} → ${reply.status} ${reply.body}`);
      assert.equal(reply.json.error.code, 'cross_origin');
    }
    const put = await h.call('PUT', `/api/v1/tasks/${taskId}`, { ...asBrowser({ origin: EVIL }), body: noopTask('x') });
    assert.equal(put.status, 403);
    const del = await h.call('DELETE', `/api/v1/tasks/${taskId}`, asBrowser({ origin: EVIL }));
    assert.equal(del.status, 403);
    assert.equal((await h.expect(200, 'GET', `/api/v1/tasks/${taskId}`)).json.enabled, true);
  });

  test('the server’s own pages still write with the cookie; tokens and reads are not affected', async () => {
    await h.expect(201, 'POST', `/api/v1/tasks/${taskId}/runs`, asBrowser({ origin: SELF }));
    await h.expect(201, 'POST', `/api/v1/tasks/${taskId}/runs`, asBrowser({ referer: `${SELF}/tasks/${taskId}` }));
    await h.expect(201, 'POST', `/api/v1/tasks/${taskId}/runs`, asBrowser({ 'sec-fetch-site': 'same-origin' }));
    await h.expect(200, 'GET', `/api/v1/tasks/${taskId}`, asBrowser({ origin: EVIL }));
    await h.expect(201, 'POST', `/api/v1/tasks/${taskId}/runs`, { token: org.operator, headers: { origin: EVIL } });
  });
});

describe('files of the data folder', () => {
  test('attack: the SQLite database is created readable by every local user', async () => {
    const previous = process.umask(0o022);
    const dir = await mkdtemp(join(tmpdir(), 'tw-modes-'));
    try {
      const dataDir = join(dir, 'data');
      const config = resolveServerConfig({ data: dataDir, port: '0' }, { TASKWARDEN_LOG_LEVEL: 'silent' }, dir);
      let server = await startServer(config);
      const modes = async () => {
        const mode = async (name: string) => ((await stat(join(dataDir, name))).mode & 0o777).toString(8);
        return {
          folder: ((await stat(dataDir)).mode & 0o777).toString(8),
          db: await mode('taskwarden.db'),
          wal: await mode('taskwarden.db-wal'),
          shm: await mode('taskwarden.db-shm'),
          token: await mode('admin.token'),
        };
      };
      assert.deepEqual(await modes(), { folder: '700', db: '600', wal: '600', shm: '600', token: '600' });
      await server.close(1_000);

      // A database left readable by an older version (or a restored backup) is tightened
      // at start; a folder opened to others is the operator's choice, and is warned about.
      await chmod(join(dataDir, 'taskwarden.db'), 0o644);
      await chmod(dataDir, 0o755);
      assert.match((await looseDataFolderWarnings(dataDir)).join('\n'), /open to other users.*chmod 700/);
      server = await startServer(config);
      assert.equal(((await stat(join(dataDir, 'taskwarden.db'))).mode & 0o777).toString(8), '600');
      await server.close(1_000);
      await chmod(dataDir, 0o700);
      assert.deepEqual(await looseDataFolderWarnings(dataDir), []);
    } finally {
      process.umask(previous);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('terminal escape codes in names', () => {
  const ESCAPES = '\u001b]0;pwned\u0007\u001b[2J';
  let h: ServerHarness;
  let org: Org;
  let agentId: string;
  let enrolmentToken: string;
  before(async () => {
    h = await startServerHarness();
    org = await setUpOrg(h, 'esc');
    const token = (
      await h.expect(201, 'POST', '/api/v1/enrolment-tokens', {
        token: org.orgAdmin,
        body: { uses: 10, expiresIn: '1h' },
      })
    ).json.token;
    const enrolled = await h.expect(201, 'POST', '/agent/v1/enrol', {
      token: null,
      body: { token, deviceId: 'ok-01', name: 'Poste de José – 2ᵉ étage' },
    });
    agentId = enrolled.json.agentId;
    enrolmentToken = token;
  });
  after(() => h.cleanup());

  test('attack: an agent enrols with escape codes in its name', async () => {
    for (const body of [
      { deviceId: 'esc-01', name: ESCAPES },
      { deviceId: 'esc-02', name: 'a\u202Eexe.txt' },
      { deviceId: 'esc-03', version: '1.0\u009b2J' },
    ]) {
      const reply = await h.call('POST', '/agent/v1/enrol', { token: null, body: { token: enrolmentToken, ...body } });
      assert.equal(reply.status, 400, `enrol ${JSON.stringify(body)} → ${reply.status}`);
      assert.equal(reply.json.error.code, 'invalid_input');
    }
    const agents = (await h.expect(200, 'GET', '/api/v1/agents', { token: org.orgAdmin })).json.items;
    assert.deepEqual(
      agents.map((a: { name: string }) => a.name),
      ['Poste de José – 2ᵉ étage'],
    );
  });

  test('attack: names, tags and descriptions set through the API carry control characters', async () => {
    const refused: [string, string, unknown][] = [
      ['PATCH', `/api/v1/agents/${agentId}`, { name: 'x\u001b[31m' }],
      ['PATCH', `/api/v1/agents/${agentId}`, { tags: ['ok', 'bell\u0007'] }],
      ['POST', '/api/v1/enrolment-tokens', { uses: 1, expiresIn: '1h', tags: ['\u202Eevil'] }],
      ['POST', '/api/v1/tasks', { ...noopTask('t1'), description: 'line\u001b[2K' }],
      ['POST', '/api/v1/commands', { name: 'c1', argv: ['true'], runsOn: 'agent', description: 'x\u0085y' }],
      ['POST', `/api/v1/users/${newId()}/tokens`, { name: 'ci\u001b]0;x\u0007' }],
      ['POST', '/api/v1/packages', { name: 'p', version: '1\u007f', archive: '0'.repeat(64), steps: [] }],
    ];
    for (const [method, url, body] of refused) {
      const reply = await h.call(method, url, { token: org.orgAdmin, body });
      assert.equal(reply.status, 400, `${method} ${url} ${JSON.stringify(body)} → ${reply.status} ${reply.body}`);
      assert.equal(reply.json.error.code, 'invalid_input');
      assert.match(reply.json.error.message, /control|printable/);
    }
    const renamed = await h.expect(200, 'PATCH', `/api/v1/agents/${agentId}`, {
      token: org.orgAdmin,
      body: { name: 'Büro 3 · 東京', tags: ['étage-2'] },
    });
    assert.equal(renamed.json.name, 'Büro 3 · 東京');
  });

  test('attack: `taskwarden agent list` prints a stored name’s escape codes raw', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-esc-'));
    const config = resolveServerConfig({ data: join(dir, 'data'), port: '0' }, { TASKWARDEN_LOG_LEVEL: 'silent' }, dir);
    const server = await startServer(config);
    try {
      // Data from before the rule (or a FusionInventory device name) is not checked by it.
      const now = Date.now();
      const acme = await server.store.orgs.create({ id: newId(), name: 'acme', createdAt: now });
      await server.store.agents.create({
        id: newId(),
        orgId: acme.id,
        kind: 'taskwarden',
        deviceId: 'old-01',
        name: ESCAPES,
        tags: ['\u001b[31mred'],
        secretHash: 'x',
        enabled: true,
        version: null,
        modules: [],
        wakeUrl: null,
        contactSeconds: 60,
        lastContactAt: null,
        lastWakeError: null,
        lastWakeErrorAt: null,
        createdAt: now,
      });
      const admin = (await readFile(join(dir, 'data', 'admin.token'), 'utf8')).trim();
      const bin = join(import.meta.dirname, '../../bin/taskwarden.js');
      const child = spawn(process.execPath, [bin, 'agent', 'list', '--server', server.url, '--token', admin]);
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      assert.equal(code, 0);
      for (const raw of ['\u001b', '\u0007']) assert.ok(!stdout.includes(raw), JSON.stringify(stdout));
      assert.match(stdout, /\\x1b\]0;pwned\\x07\\x1b\[2J/);
    } finally {
      await server.close(1_000);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('starting a run twice', () => {
  let h: ServerHarness;
  let org: Org;
  let taskId: string;
  before(async () => {
    h = await startServerHarness();
    org = await setUpOrg(h, 'idem');
    const body = noopTask('once', { concurrency: 'allow' });
    taskId = (await h.expect(201, 'POST', '/api/v1/tasks', { token: org.operator, body })).json.id;
  });
  after(() => h.cleanup());

  const start = (key: string, token = org.operator, url = `/api/v1/tasks/${taskId}/runs`) =>
    h.call('POST', url, { token, headers: { 'idempotency-key': key } });

  test('attack: two concurrent starts with the same Idempotency-Key make two runs', async () => {
    const before = (await runsOf(h, taskId)).length;
    const [a, b] = await Promise.all([start('retry-1'), start('retry-1')]);
    assert.equal(a.status, 201, a.body);
    assert.equal(b.status, 201, b.body);
    assert.equal(a.json.id, b.json.id);
    assert.equal((await runsOf(h, taskId)).length, before + 1);
    const replayed = [a, b].filter((r) => r.headers['idempotent-replayed'] === 'true');
    assert.equal(replayed.length, 1, 'exactly one of them is the replay');
  });

  test('a later replay answers the first run; another task or another user with the key does not get it', async () => {
    const first = await start('retry-2');
    assert.equal(first.status, 201);
    const again = await h.call('POST', `/api/v1/tasks/${taskId}/runs?wait=5`, {
      token: org.operator,
      headers: { 'idempotency-key': 'retry-2' },
    });
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.status, again.json.finishedAt === null ? 201 : 200, 'the wait applies to the first run');
    assert.equal(again.headers['idempotent-replayed'], 'true');

    const other = (await h.expect(201, 'POST', '/api/v1/tasks', { token: org.operator, body: noopTask('other') })).json;
    const misuse = await start('retry-2', org.operator, `/api/v1/tasks/${other.id}/runs`);
    assert.equal(misuse.status, 422, misuse.body);
    assert.equal(misuse.json.error.code, 'idempotency_key_reused');
    assert.match(misuse.json.error.message, /Idempotency-Key/);
    assert.equal((await runsOf(h, other.id)).length, 0);

    const someoneElse = await start('retry-2', org.orgAdmin);
    assert.equal(someoneElse.status, 201);
    assert.notEqual(someoneElse.json.id, first.json.id);
  });

  test('a malformed Idempotency-Key is refused and starts nothing', async () => {
    const before = (await runsOf(h, taskId)).length;
    for (const key of ['k'.repeat(256), 'tab\there', 'é']) {
      const reply = await start(key);
      assert.equal(reply.status, 400, `${JSON.stringify(key)} → ${reply.status} ${reply.body}`);
      assert.match(reply.json.error.message, /idempotency-key/i);
    }
    assert.equal((await runsOf(h, taskId)).length, before);
    await h.expect(201, 'POST', `/api/v1/tasks/${taskId}/runs`, {
      token: org.operator,
      headers: { 'idempotency-key': 'k'.repeat(255) },
    });
  });

  test('attack: a start whose answer a dropped connection lost fails the CLI (and a plain retry would run twice)', async () => {
    const server = await h.app.listen({ port: 0, host: '127.0.0.1' });
    // A proxy that forwards the first start to the server, then drops the connection
    // instead of answering: the run exists, the client does not know it.
    let starts = 0;
    const keys: (string | undefined)[] = [];
    const proxy: Server = createServer((req, res) => {
      const isStart = req.method === 'POST' && req.url?.includes('/runs');
      if (isStart) keys.push(req.headers['idempotency-key'] as string | undefined);
      const upstream = httpRequest(`${server}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        if (isStart && ++starts === 1) {
          answer.resume();
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (proxy.address() as AddressInfo).port;
      const client = new TaskwardenClient({ server: `http://127.0.0.1:${port}`, token: org.operator });
      const before = (await runsOf(h, taskId)).length;
      const run = await client.runTask(taskId);
      assert.equal(starts, 2, 'the client retried once');
      assert.equal(keys.length, 2);
      assert.ok(keys[0] && keys[0] === keys[1], `both tries carried one key: ${JSON.stringify(keys)}`);
      const runs = await runsOf(h, taskId);
      assert.equal(runs.length, before + 1, 'one run for one invocation');
      assert.equal(runs[0]?.id, run.id);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
