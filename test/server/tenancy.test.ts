// Org scoping beyond the route matrix (test/security/roles.test.ts has each role against
// each route, test/security/tokens.test.ts each credential): how the global admin names an
// org, which catalog a task may use, global commands, who makes tokens for whom, and that a
// route without a declared level cannot even be registered.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { installRouteAuthCheck } from '../../src/server/route-auth.ts';
import { echoCommand, echoTask, type ServerHarness, startServerHarness } from '../support/server.ts';

describe('tenancy and roles', () => {
  let h: ServerHarness;
  const a = { id: '', admin: '', operator: '', viewer: '', viewerId: '' };
  const b = { id: '', admin: '', operator: '' };

  before(async () => {
    h = await startServerHarness();
    a.id = (await h.createOrg('org-a')).id;
    b.id = (await h.createOrg('org-b')).id;
    a.admin = (await h.createUser(a.id, 'a-admin', 'org-admin')).token;
    a.operator = (await h.createUser(a.id, 'a-operator', 'operator')).token;
    ({ token: a.viewer, id: a.viewerId } = await h.createUser(a.id, 'a-viewer', 'viewer'));
    b.admin = (await h.createUser(b.id, 'b-admin', 'org-admin')).token;
    b.operator = (await h.createUser(b.id, 'b-operator', 'operator')).token;
    await h.expect(201, 'POST', '/api/v1/commands', { token: a.admin, body: echoCommand });
    const task = await h.expect(201, 'POST', '/api/v1/tasks', { token: a.operator, body: echoTask('a-task') });
    await h.expect(200, 'POST', `/api/v1/tasks/${task.json.id}/runs?wait=10`, { token: a.operator });
  });
  after(() => h.cleanup());

  test("lists show only the caller's org; the admin sees every org or the one it names", async () => {
    const names = async (url: string, token: string) =>
      (await h.expect(200, 'GET', url, { token })).json.items.map(
        (t: { name?: string; task?: string }) => t.name ?? t.task,
      );
    assert.deepEqual(await names('/api/v1/tasks', b.operator), []);
    assert.deepEqual(await names('/api/v1/tasks', a.viewer), ['a-task']);
    assert.deepEqual(await names('/api/v1/summary', a.viewer), ['a-task']);
    assert.equal((await h.expect(200, 'GET', '/api/v1/runs', { token: b.operator })).json.items.length, 0);
    assert.equal((await h.expect(200, 'GET', '/api/v1/runs', { token: a.viewer })).json.items.length, 1);
    assert.deepEqual(await names('/api/v1/tasks?org=org-a', h.adminToken), ['a-task']);
    assert.deepEqual(await names(`/api/v1/tasks?org=${b.id}`, h.adminToken), []);
    assert.ok((await names('/api/v1/tasks', h.adminToken)).includes('a-task'));
    assert.deepEqual(await names('/api/v1/tasks?org=org-a', a.viewer), ['a-task']);
  });

  test('a command job can only use its own org’s catalog (or a global one)', async () => {
    const reply = await h.expect(400, 'POST', '/api/v1/tasks', { token: b.operator, body: echoTask('b-echo') });
    assert.equal(reply.json.error.details.field, 'jobs[0].params.command');
  });

  test('tokens: a user makes his own, an org-admin makes them for his users', async () => {
    const own = await h.expect(201, 'POST', `/api/v1/users/${a.viewerId}/tokens`, {
      token: a.viewer,
      body: { name: 'mine' },
    });
    assert.match(own.json.token, /^tw_/);
    await h.expect(200, 'GET', '/api/v1/me', { token: own.json.token });
    const made = await h.expect(201, 'POST', `/api/v1/users/${a.viewerId}/tokens`, {
      token: a.admin,
      body: { name: 'x' },
    });
    const listed = await h.expect(200, 'GET', `/api/v1/users/${a.viewerId}/tokens`, { token: a.viewer });
    assert.ok(listed.json.items.some((t: { id: string }) => t.id === made.json.id));
    assert.ok(listed.json.items.every((t: Record<string, unknown>) => !('token' in t) && !('hash' in t)));
  });

  test('global commands: only the admin defines or deletes them; every org sees them', async () => {
    const global = { ...echoCommand, name: 'global-echo', global: true };
    await h.expect(403, 'POST', '/api/v1/commands', { token: a.admin, body: global });
    const made = await h.expect(201, 'POST', '/api/v1/commands', { body: global });
    assert.equal(made.json.orgId, null);
    const replaced = await h.expect(200, 'POST', '/api/v1/commands', { body: { ...global, description: 'again' } });
    assert.equal(replaced.json.id, made.json.id);
    const seen = await h.expect(200, 'GET', '/api/v1/commands', { token: b.operator });
    assert.deepEqual(
      seen.json.items.map((c: { name: string }) => c.name),
      ['global-echo'],
    );
    await h.expect(403, 'DELETE', `/api/v1/commands/${made.json.id}`, { token: b.admin });
    const usingGlobal = echoTask('b-global');
    usingGlobal.jobs[0] = {
      ...(usingGlobal.jobs[0] as (typeof usingGlobal.jobs)[0]),
      params: { command: 'global-echo', args: { msg: 'hi' } },
    };
    await h.expect(201, 'POST', '/api/v1/tasks', { token: b.operator, body: usingGlobal });
    await h.expect(400, 'POST', '/api/v1/commands', { token: h.adminToken, body: { ...echoCommand, name: 'no-org' } });
    await h.expect(201, 'POST', '/api/v1/commands?org=org-b', { body: { ...echoCommand, name: 'for-b' } });
  });

  test('a route without a declared auth level is refused at start-up', async () => {
    const app = Fastify();
    installRouteAuthCheck(app);
    app.get('/declared', { config: { auth: 'viewer' } }, async () => 'ok');
    assert.throws(() => app.get('/forgotten', async () => 'oops'), /GET \/forgotten declares no auth level/);
    assert.deepEqual(
      app.declaredRoutes.map((r) => `${r.method} ${r.url} ${r.auth}`),
      ['GET /declared viewer', 'HEAD /declared viewer'],
    );
    await app.close();
  });
});
