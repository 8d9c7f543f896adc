// Every read and write is scoped to the caller's org: another org's ids answer 404, a role
// below the route's level answers 403, bad credentials 401; every route declares its level.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { newId } from '../../src/core/ids.ts';
import { installRouteAuthCheck } from '../../src/server/route-auth.ts';
import { hashSecret, newSecret } from '../../src/server/secrets.ts';
import { echoCommand, echoTask, type ServerHarness, startServerHarness } from '../support/server.ts';

describe('tenancy and roles', () => {
  let h: ServerHarness;
  const a = { id: '', admin: '', adminId: '', operator: '', operatorId: '', viewer: '', viewerId: '' };
  const b = { id: '', admin: '', operator: '' };
  const ids = { task: '', run: '', jobstate: '', command: '' };

  before(async () => {
    h = await startServerHarness();
    a.id = (await h.createOrg('org-a')).id;
    b.id = (await h.createOrg('org-b')).id;
    ({ token: a.admin, id: a.adminId } = await h.createUser(a.id, 'a-admin', 'org-admin'));
    ({ token: a.operator, id: a.operatorId } = await h.createUser(a.id, 'a-operator', 'operator'));
    ({ token: a.viewer, id: a.viewerId } = await h.createUser(a.id, 'a-viewer', 'viewer'));
    b.admin = (await h.createUser(b.id, 'b-admin', 'org-admin')).token;
    b.operator = (await h.createUser(b.id, 'b-operator', 'operator')).token;
    // Server commands are the global admin's.
    ids.command = (await h.expect(201, 'POST', `/api/v1/commands?org=${a.id}`, { body: echoCommand })).json.id;
    ids.task = (await h.expect(201, 'POST', '/api/v1/tasks', { token: a.operator, body: echoTask('a-task') })).json.id;
    const run = await h.expect(200, 'POST', `/api/v1/tasks/${ids.task}/runs?wait=10`, { token: a.operator });
    ids.run = run.json.id;
    ids.jobstate = (
      await h.expect(200, 'GET', `/api/v1/runs/${ids.run}/jobstates`, { token: a.viewer })
    ).json.items[0].id;
  });
  after(() => h.cleanup());

  test("another org's ids answer 404, for reads and writes alike", async () => {
    const probes: [string, string, unknown?][] = [
      ['GET', `/api/v1/tasks/${ids.task}`],
      ['PUT', `/api/v1/tasks/${ids.task}`, echoTask('stolen')],
      ['DELETE', `/api/v1/tasks/${ids.task}`],
      ['POST', `/api/v1/tasks/${ids.task}/disable`],
      ['GET', `/api/v1/tasks/${ids.task}/history`],
      ['POST', `/api/v1/tasks/${ids.task}/runs`],
      ['GET', `/api/v1/tasks/${ids.task}/runs`],
      ['GET', `/api/v1/runs/${ids.run}`],
      ['POST', `/api/v1/runs/${ids.run}/cancel`],
      ['GET', `/api/v1/runs/${ids.run}/jobstates`],
      ['GET', `/api/v1/jobstates/${ids.jobstate}`],
      ['GET', `/api/v1/jobstates/${ids.jobstate}/logs`],
      ['GET', `/api/v1/commands/${ids.command}`],
      ['GET', `/api/v1/tasks?org=${a.id}`],
      ['GET', '/api/v1/runs?org=org-a'],
    ];
    for (const [method, url, body] of probes) {
      const reply = await h.call(method, url, { token: b.operator, body });
      assert.equal(reply.status, 404, `${method} ${url} → ${reply.status} ${reply.body}`);
      assert.equal(reply.json.error.code, 'not_found');
    }
    const adminProbes: [string, string, unknown?][] = [
      ['DELETE', `/api/v1/commands/${ids.command}`],
      ['POST', `/api/v1/users/${a.operatorId}/disable`],
      ['GET', `/api/v1/users/${a.operatorId}/tokens`],
      ['POST', `/api/v1/users/${a.operatorId}/tokens`, { name: 'stolen' }],
      ['POST', `/api/v1/orgs/${a.id}/users`, { name: 'intruder', role: 'operator' }],
      ['GET', '/api/v1/orgs/org-a/users'],
    ];
    for (const [method, url, body] of adminProbes) {
      const reply = await h.call(method, url, { token: b.admin, body });
      assert.equal(reply.status, 404, `${method} ${url} → ${reply.status} ${reply.body}`);
    }
    // Nothing was touched.
    assert.equal((await h.store.tasks.get(ids.task))?.enabled, true);
    assert.equal((await h.store.commands.get(ids.command))?.name, echoCommand.name);
    assert.equal((await h.store.users.get(a.operatorId))?.disabled, false);
  });

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

  test('roles: a viewer reads but cannot write; an operator cannot manage the catalog or users', async () => {
    await h.expect(200, 'GET', `/api/v1/tasks/${ids.task}`, { token: a.viewer });
    const forbidden: [string, string, string, unknown?][] = [
      [a.viewer, 'POST', '/api/v1/tasks', echoTask('by-viewer')],
      [a.viewer, 'PUT', `/api/v1/tasks/${ids.task}`, echoTask('a-task')],
      [a.viewer, 'POST', `/api/v1/tasks/${ids.task}/runs`],
      [a.viewer, 'POST', `/api/v1/runs/${ids.run}/cancel`],
      [a.viewer, 'DELETE', `/api/v1/tasks/${ids.task}`],
      [a.operator, 'POST', '/api/v1/commands', { ...echoCommand, name: 'by-operator' }],
      [a.operator, 'POST', `/api/v1/orgs/${a.id}/users`, { name: 'by-operator', role: 'viewer' }],
      [a.admin, 'POST', '/api/v1/orgs', { name: 'by-org-admin' }],
      [a.admin, 'GET', '/api/v1/orgs'],
      [a.admin, 'GET', '/metrics'],
      [a.viewer, 'POST', `/api/v1/users/${a.operatorId}/tokens`, { name: 'not-mine' }],
    ];
    for (const [token, method, url, body] of forbidden) {
      const reply = await h.call(method, url, { token, body });
      assert.equal(reply.status, 403, `${method} ${url} → ${reply.status} ${reply.body}`);
      assert.equal(reply.json.error.code, 'forbidden');
    }
    assert.equal((await h.store.tasks.list({ orgId: a.id }, { limit: 100 })).items.length, 1);
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

  test('revoked, expired, unknown and malformed credentials answer 401', async () => {
    const made = await h.expect(201, 'POST', `/api/v1/users/${a.operatorId}/tokens`, {
      token: a.operator,
      body: { name: 'short' },
    });
    await h.expect(200, 'GET', '/api/v1/me', { token: made.json.token });
    await h.expect(204, 'DELETE', `/api/v1/tokens/${made.json.id}`, { token: a.operator });
    await h.expect(401, 'GET', '/api/v1/me', { token: made.json.token });

    const expired = newSecret();
    await h.store.tokens.create({
      id: newId(),
      userId: a.operatorId,
      name: 'expired',
      hash: hashSecret(expired),
      createdAt: Date.now() - 2000,
      expiresAt: Date.now() - 1000,
      revokedAt: null,
      lastUsedAt: null,
    });
    await h.expect(401, 'GET', '/api/v1/me', { token: expired });
    await h.expect(401, 'GET', '/api/v1/me', { token: newSecret() });
    await h.expect(401, 'GET', '/api/v1/me', { token: null });
    await h.expect(401, 'GET', '/api/v1/me', { token: null, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
  });

  test('a disabled user is locked out at once; enabling lets him back', async () => {
    const { id, token } = await h.createUser(a.id, 'a-temp', 'viewer');
    await h.expect(200, 'GET', '/api/v1/me', { token });
    await h.expect(200, 'POST', `/api/v1/users/${id}/disable`, { token: a.admin });
    await h.expect(401, 'GET', '/api/v1/me', { token });
    await h.expect(200, 'POST', `/api/v1/users/${id}/enable`, { token: a.admin });
    await h.expect(200, 'GET', '/api/v1/me', { token });
    await h.expect(400, 'POST', `/api/v1/users/${a.adminId}/disable`, { token: a.admin });
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

  test('every route declares an auth level; only health, login, enrolment, the docs and the web UI are public', async () => {
    const routes = h.app.declaredRoutes;
    assert.ok(routes.length > 30, `only ${routes.length} routes recorded`);
    const publicRoutes = routes.filter((r) => r.auth === 'public').map((r) => `${r.method} ${r.url}`);
    for (const route of publicRoutes) {
      assert.ok(
        ['GET /health', 'HEAD /health', 'POST /api/v1/login', 'POST /agent/v1/enrol', 'GET /*', 'HEAD /*'].includes(
          route,
        ) || /^(GET|HEAD) \/api\/docs\b/.test(route),
        `${route} is public`,
      );
    }
    assert.ok(publicRoutes.includes('GET /health') && publicRoutes.includes('POST /api/v1/login'));
    for (const route of routes.filter((r) => r.auth !== 'public')) {
      assert.ok(h.app.hasRoute({ method: route.method as 'GET', url: route.url }), `${route.method} ${route.url}`);
      const url = route.url.replace(/:\w+/g, 'some-id');
      const reply = await h.call(route.method, url, { token: null });
      assert.equal(reply.status, 401, `${route.method} ${url} without a token → ${reply.status}`);
    }
    // The agent protocol takes agent credentials only, and nothing else does.
    const agentRoutes = routes.filter((r) => r.url.startsWith('/agent/v1/'));
    assert.ok(agentRoutes.length >= 3, 'the agent protocol routes are registered');
    for (const route of agentRoutes.filter((r) => r.url !== '/agent/v1/enrol')) {
      assert.equal(route.auth, 'agent', `${route.method} ${route.url} is for agents`);
      const url = route.url.replace(/:\w+/g, 'some-id');
      const reply = await h.call(route.method, url, { token: h.adminToken, body: {} });
      assert.equal(reply.status, 401, `${route.method} ${url} with a user token → ${reply.status}`);
    }
    assert.deepEqual(
      routes.filter((r) => r.auth === 'agent' && !r.url.startsWith('/agent/v1/')),
      [],
      'agent credentials open nothing outside /agent/v1',
    );
    const enrol = await h.call('POST', '/agent/v1/enrol', {
      token: null,
      body: { token: 'twe_not-a-token', deviceId: 'pc' },
    });
    assert.equal(enrol.status, 401);
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
