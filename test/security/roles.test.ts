// Each org role against each route (route-table.ts): a role below the route's level gets
// 403, anonymous 401, a user of another org 404 for this org's records (never 403, never
// the data), lists show the caller's org only; the same requests then succeed for the
// org's own lowest allowed role and for the global admin, so each refusal was the boundary.
// Then the ways up through user management: making an admin, a user elsewhere, tokens of
// others, a token outliving its user's rights.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerHarness, startServerHarness } from '../support/server.ts';
import { isUserLevel, ROUTES, type RouteRow, rank, rowOf, type UserLevel } from './route-table.ts';
import { type Req, send } from './send.ts';
import { ORG_ROLES, type OrgRole, type OrgWorld, taskDef, twoOrgs, unique } from './world.ts';

describe('roles × routes', () => {
  let h: ServerHarness;
  let a: OrgWorld;
  let b: OrgWorld;
  const userRows = ROUTES.filter((row) => isUserLevel(row.level));
  /** One request per route, naming org A's records, made before anyone attacks them. */
  const requests = new Map<RouteRow, Req>();
  let untouched = '';

  before(async () => {
    h = await startServerHarness();
    ({ a, b } = await twoOrgs(h));
    for (const row of ROUTES) requests.set(row, await row.request(a));
    untouched = await fingerprint(a);
  });
  after(() => h.cleanup());

  const levelOf = (row: RouteRow) => row.level as UserLevel;
  const tokenOf = (w: OrgWorld, level: UserLevel) => (level === 'admin' ? h.adminToken : w.users[level].token);
  const requestOf = (row: RouteRow) => requests.get(row) as Req;
  const label = (row: RouteRow, who: string, status: number, body: string) =>
    `${row.route} as ${who} → ${status} ${body.slice(0, 300)}`;

  /** What of org A an attack could change, without what moves by itself (run states, contact times). */
  async function fingerprint(w: OrgWorld): Promise<string> {
    const s = h.store;
    const page = { limit: 1000 };
    const users = (await s.users.list(w.org.id, page)).items;
    const tokens = [];
    for (const user of users) tokens.push(...(await s.tokens.listForUser(user.id, page)).items);
    return JSON.stringify({
      org: await s.orgs.get(w.org.id),
      users,
      tokens: tokens.map(({ lastUsedAt: _, ...token }) => token),
      agents: (await s.agents.list({ orgId: w.org.id }, page)).items.map(({ lastContactAt: _, ...agent }) => agent),
      commands: (await s.commands.list(w.org.id, page)).items,
      tasks: (await s.tasks.list({ orgId: w.org.id }, page)).items,
      runs: (await s.runs.list({ orgId: w.org.id }, page)).items.map((run) => [run.id, run.status === 'cancelled']),
      enrolmentTokens: (await s.enrolmentTokens.list(w.org.id, page)).items,
      packages: (await s.packages.list({ orgId: w.org.id }, page)).items,
      devices: (await s.devices.list({ orgId: w.org.id }, page)).items,
      inventory: await s.inventories.get(w.agent.id),
      channels: (await s.channels.list(w.org.id, page)).items,
      notify: (await s.orgs.settings(w.org.id))?.notify,
    });
  }

  test('every declared route has a row, at the level it declares; every row names a route', () => {
    const declared = h.app.declaredRoutes;
    assert.ok(declared.length > 60, `only ${declared.length} routes recorded`);
    for (const route of declared) {
      const row = rowOf(route);
      assert.ok(row, `${route.method} ${route.url} has no row in test/security/route-table.ts`);
      assert.equal(row.level, route.auth, `${route.method} ${route.url} declares ${route.auth}, its row ${row.level}`);
    }
    for (const row of ROUTES) {
      assert.ok(
        declared.some((route) => rowOf(route) === row),
        `the row ${row.route} names no declared route`,
      );
    }
  });

  test('anonymous gets 401 from every route that is not public', async () => {
    for (const row of ROUTES.filter((r) => r.level !== 'public')) {
      const reply = await send(h, row, requestOf(row), null);
      assert.equal(reply.status, 401, label(row, 'anonymous', reply.status, reply.body));
      assert.equal(reply.json?.error?.code, 'unauthorized');
    }
  });

  test('a role below the level of a route gets 403', async () => {
    let refused = 0;
    for (const row of userRows) {
      for (const role of ORG_ROLES.filter((r) => rank(r) < rank(levelOf(row)))) {
        const reply = await send(h, row, requestOf(row), a.users[role].token);
        assert.equal(reply.status, 403, label(row, `org A's ${role}`, reply.status, reply.body));
        assert.equal(reply.json.error.code, 'forbidden');
        refused++;
      }
    }
    assert.ok(refused > 40, `only ${refused} refusals`);
  });

  test("another org's users get 404 for org A's records and for org A itself: never 403, never the data", async () => {
    for (const row of userRows.filter((r) => r.level !== 'admin' && !r.unscoped)) {
      // Org A named by its id, and by its name where the route names an org.
      const byId = requestOf(row);
      const url = byId.url
        .replace(`org=${a.org.id}`, `org=${a.org.name}`)
        .replace(`/orgs/${a.org.id}/`, `/orgs/${a.org.name}/`);
      for (const req of url === byId.url ? [byId] : [byId, { ...byId, url }]) {
        for (const role of ORG_ROLES.filter((r) => rank(r) >= rank(levelOf(row)))) {
          const reply = await send(h, row, req, b.users[role].token);
          const who = `org B's ${role}`;
          assert.equal(reply.status, 404, label(row, who, reply.status, reply.body));
          assert.equal(reply.json.error.code, 'not_found');
          const leaked = a.ids().filter((id) => reply.body.includes(id) && !req.url.includes(id));
          assert.deepEqual(leaked, [], label(row, who, reply.status, reply.body));
        }
      }
    }
  });

  test('none of those refusals changed anything of org A', async () => {
    const now = JSON.parse(await fingerprint(a));
    const then = JSON.parse(untouched);
    for (const key of Object.keys(now)) assert.deepEqual(now[key], then[key], key);
  });

  test("the same requests succeed for org A's lowest allowed role, and for the global admin; public ones for anyone", async () => {
    for (const row of ROUTES.filter((r) => r.level === 'public')) {
      const reply = await send(h, row, requestOf(row), null);
      assert.equal(reply.status, row.ok, label(row, 'anonymous', reply.status, reply.body));
    }
    for (const row of userRows) {
      const lowest = tokenOf(a, levelOf(row));
      const reply = await send(h, row, requestOf(row), lowest);
      assert.equal(reply.status, row.ok, label(row, `org A's ${row.level}`, reply.status, reply.body));
      const leaked = b.ids().filter((id) => reply.body.includes(id));
      if (row.level !== 'admin') assert.deepEqual(leaked, [], `${row.route} shows org B's ${leaked.join(', ')}`);
      const asAdmin = await send(h, row, await row.request(a), h.adminToken);
      assert.equal(asAdmin.status, row.ok, label(row, 'the global admin', asAdmin.status, asAdmin.body));
    }
  });

  test("lists show their caller's org's rows and never another org's", async () => {
    for (const row of userRows.filter((r) => r.shows)) {
      for (const [own, other] of [
        [a, b],
        [b, a],
      ] as const) {
        const req = await row.request(own);
        const url = new URL(req.url, 'http://localhost');
        url.searchParams.delete('org');
        // The lowest role: above it some lists are someone else's (a viewer's tokens).
        const role = levelOf(row) as OrgRole;
        {
          const reply = await send(h, row, { ...req, url: `${url.pathname}${url.search}` }, own.users[role].token);
          assert.equal(reply.status, 200, label(row, role, reply.status, reply.body));
          assert.ok(reply.body.includes(row.shows?.(own) as string), `${row.route} misses the caller's own row`);
          const leaked = other.ids().filter((id) => reply.body.includes(id));
          assert.deepEqual(leaked, [], `${row.route} shows ${role} of one org the other's ${leaked.join(', ')}`);
        }
      }
    }
  });

  test("a filter or a body naming another org's record reaches nothing of that org", async () => {
    const filtered = await h.expect(200, 'GET', `/api/v1/runs?task=${a.taskId}`, { token: b.users.viewer.token });
    assert.deepEqual(filtered.json.items, []);
    const operator = { token: b.users.operator.token };
    const task = await h.expect(201, 'POST', '/api/v1/tasks', {
      ...operator,
      body: taskDef(unique('aimed'), a.agent.id),
    });
    const run = await h.expect(200, 'POST', `/api/v1/tasks/${task.json.id}/runs?wait=30`, operator);
    assert.deepEqual(await h.store.jobstates.allOfRun(run.json.id), [], "org A's agent got no job of org B's task");
    const archive = a.archive.sha256;
    const pkg = await h.expect(400, 'POST', '/api/v1/packages', {
      ...operator,
      body: {
        name: 'stolen',
        version: '1',
        archive,
        steps: [{ type: 'command', command: 'agent-echo', args: { msg: 'hi' } }],
      },
    });
    assert.equal(pkg.json.error.details.field, 'archive');
  });
});

describe('no way up through user management', () => {
  let h: ServerHarness;
  let a: OrgWorld;
  let b: OrgWorld;
  let adminId: string;
  before(async () => {
    h = await startServerHarness();
    ({ a, b } = await twoOrgs(h));
    adminId = (await h.expect(200, 'GET', '/api/v1/me')).json.id;
  });
  after(() => h.cleanup());

  const globalAdmins = async () => (await h.store.users.list(null, { limit: 100 })).items.map((u) => u.role);
  const tokensOf = async (userId: string) => (await h.store.tokens.listForUser(userId, { limit: 100 })).items.length;

  test('an org-admin makes no global admin and no user in another org', async () => {
    const orgAdmin = { token: a.users['org-admin'].token };
    const asAdmin = await h.expect(400, 'POST', `/api/v1/orgs/${a.org.id}/users`, {
      ...orgAdmin,
      body: { name: 'would-be-admin', role: 'admin' },
    });
    assert.equal(asAdmin.json.error.details.field, 'role');
    // Not even the global admin makes a second one through an org.
    await h.expect(400, 'POST', `/api/v1/orgs/${a.org.id}/users`, { body: { name: 'second-admin', role: 'admin' } });
    for (const org of [b.org.id, b.org.name]) {
      await h.expect(404, 'POST', `/api/v1/orgs/${org}/users`, {
        ...orgAdmin,
        body: { name: 'planted', role: 'org-admin' },
      });
    }
    assert.equal(await h.store.users.getByName('would-be-admin'), null);
    assert.equal(await h.store.users.getByName('planted'), null);
    assert.deepEqual(await globalAdmins(), ['admin']);
  });

  test('no route changes a role, and nobody disables or enables himself', async () => {
    const self = a.users['org-admin'];
    for (const [method, url] of [
      ['PATCH', `/api/v1/users/${self.id}`],
      ['PUT', `/api/v1/users/${self.id}`],
      ['PATCH', '/api/v1/me'],
      ['PUT', '/api/v1/me'],
      ['POST', `/api/v1/users/${self.id}/role`],
    ] as const) {
      await h.expect(404, method, url, { token: self.token, body: { role: 'admin', orgId: null } });
    }
    for (const action of ['disable', 'enable']) {
      await h.expect(400, 'POST', `/api/v1/users/${self.id}/${action}`, { token: self.token });
    }
    const after = await h.store.users.get(self.id);
    assert.deepEqual([after?.role, after?.disabled], ['org-admin', false]);
  });

  test("an org-admin cannot reach the global admin's account: tokens, list, revoke, disable", async () => {
    const orgAdmin = { token: a.users['org-admin'].token };
    const [adminToken] = (await h.store.tokens.listForUser(adminId, { limit: 1 })).items;
    const before = await tokensOf(adminId);
    await h.expect(404, 'POST', `/api/v1/users/${adminId}/tokens`, { ...orgAdmin, body: { name: 'mine-now' } });
    await h.expect(404, 'GET', `/api/v1/users/${adminId}/tokens`, orgAdmin);
    await h.expect(404, 'DELETE', `/api/v1/tokens/${adminToken?.id}`, orgAdmin);
    await h.expect(404, 'POST', `/api/v1/users/${adminId}/disable`, orgAdmin);
    assert.equal(await tokensOf(adminId), before);
    await h.expect(200, 'GET', '/api/v1/me');
  });

  test('below org-admin, a user mints, lists and revokes his own tokens only', async () => {
    const { viewer, operator } = a.users;
    const orgAdmin = a.users['org-admin'];
    const attempts: [string, string, string, unknown?][] = [
      [operator.token, 'POST', `/api/v1/users/${viewer.id}/tokens`, { name: 'borrowed' }],
      [viewer.token, 'POST', `/api/v1/users/${orgAdmin.id}/tokens`, { name: 'borrowed' }],
      [viewer.token, 'POST', `/api/v1/users/${operator.id}/tokens`, { name: 'borrowed' }],
      [operator.token, 'GET', `/api/v1/users/${viewer.id}/tokens`],
      [viewer.token, 'GET', `/api/v1/users/${orgAdmin.id}/tokens`],
      [operator.token, 'DELETE', `/api/v1/tokens/${viewer.tokenId}`],
      [viewer.token, 'DELETE', `/api/v1/tokens/${orgAdmin.tokenId}`],
    ];
    const before = await Promise.all([viewer.id, operator.id, orgAdmin.id].map(tokensOf));
    for (const [token, method, url, body] of attempts) {
      const reply = await h.call(method, url, { token, body });
      assert.equal(reply.status, 403, `${method} ${url} → ${reply.status} ${reply.body}`);
    }
    assert.deepEqual(await Promise.all([viewer.id, operator.id, orgAdmin.id].map(tokensOf)), before);
    for (const member of [viewer, orgAdmin]) await h.expect(200, 'GET', '/api/v1/me', { token: member.token });
  });

  test("a token carries no role: a user's downgrade applies to his tokens at once", async () => {
    const { id, token } = await h.createUser(a.org.id, 'demoted', 'org-admin');
    await h.expect(201, 'POST', `/api/v1/enrolment-tokens`, { token, body: { uses: 1, expiresIn: '1h' } });
    await h.store.users.update(id, { role: 'viewer' });
    await h.expect(403, 'POST', `/api/v1/enrolment-tokens`, { token, body: { uses: 1, expiresIn: '1h' } });
    await h.expect(403, 'POST', `/api/v1/users/${a.users.viewer.id}/tokens`, { token, body: { name: 'kept' } });
    await h.expect(200, 'GET', '/api/v1/me', { token });
  });
});
