// Attacks on the web edge (issue 12, item 5): the session cookie behind a TLS proxy,
// cross-origin writes with the cookie, files readable by other local users. Names with
// escape codes: web-names.test.ts; a run started twice: web-idempotency.test.ts.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveServerConfig } from '../../src/server/config.ts';
import { looseDataFolderWarnings } from '../../src/server/data-folder.ts';
import { startServer } from '../../src/server/start.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';
import { browserSession, noopTask, type Org, PASSWORD, runsOf, setUpOrg } from './web-support.ts';

const EVIL = 'https://evil.example';
/** What app.inject sends as Host, hence this server's own origin in these tests. */
const SELF = 'http://localhost';

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
    taskId = (
      await h.expect(201, 'POST', '/api/v1/tasks', {
        token: org.operator,
        body: noopTask('target', { concurrency: 'allow' }),
      })
    ).json.id;
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
