// Each kind of credential — API token, session cookie, agent secret, enrolment token,
// FusionInventory basic auth — against every route of another kind (route-table.ts), and
// each one revoked, expired (on a fake clock), replayed after logout, or used after its
// user or agent was disabled or deleted. A refused enrolment writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import { SESSION_COOKIE } from '../../src/server/auth.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';
import { isUserLevel, ROUTES, type RouteRow } from './route-table.ts';
import { type Req, send } from './send.ts';
import { ORG_ROLES, type OrgWorld, twoOrgs } from './world.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
/** Cookie-authenticated requests come from the UI's own origin (so only the cookie itself is on trial). */
const SAME_ORIGIN = { host: 'localhost', origin: 'http://localhost' };

async function login(h: ServerHarness, name: string, password: string): Promise<string> {
  const reply = await h.expect(200, 'POST', '/api/v1/login', { token: null, body: { name, password } });
  const cookie = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(String(reply.headers['set-cookie']))?.[1];
  assert.ok(cookie, 'login sets the session cookie');
  return cookie;
}

describe('each credential opens its own kind of route only', () => {
  let h: ServerHarness;
  let a: OrgWorld;
  let b: OrgWorld;
  const requests = new Map<RouteRow, Req>();
  const rowsOf = (...levels: string[]) => ROUTES.filter((row) => levels.includes(row.level));
  const userRows = ROUTES.filter((row) => isUserLevel(row.level));

  before(async () => {
    h = await startServerHarness();
    ({ a, b } = await twoOrgs(h));
    for (const row of ROUTES.filter((r) => r.level !== 'public')) requests.set(row, await row.request(a));
  });
  after(() => h.cleanup());

  /** Sends each row's request with `headers` as its only credential; expects `status` from all. */
  async function refusedEverywhere(rows: RouteRow[], what: string, headers: Record<string, string>, status = 401) {
    assert.ok(rows.length > 0);
    for (const row of rows) {
      const { authorization: _own, ...rest } = (requests.get(row) as Req).headers ?? {};
      const req = { ...(requests.get(row) as Req), token: null, headers: { ...rest, ...headers } };
      const reply = await send(h, row, req);
      assert.equal(reply.status, status, `${what} on ${row.route} → ${reply.status} ${reply.body.slice(0, 200)}`);
    }
  }

  test('each agent and FusionInventory route opens to its own credential', async () => {
    for (const row of rowsOf('agent', 'fusioninventory').filter((r) => r.ok !== undefined)) {
      const reply = await send(h, row, requests.get(row) as Req);
      assert.equal(reply.status, row.ok, `${row.route} → ${reply.status} ${reply.body.slice(0, 200)}`);
    }
  });

  test('API tokens of every role and the global admin, and session cookies, open no agent or FusionInventory route', async () => {
    const machineRows = rowsOf('agent', 'fusioninventory');
    for (const role of ORG_ROLES) {
      await refusedEverywhere(machineRows, `${role}'s API token`, { authorization: `Bearer ${a.users[role].token}` });
    }
    await refusedEverywhere(machineRows, "the global admin's API token", { authorization: `Bearer ${h.adminToken}` });
    const cookie = await login(h, a.users.viewer.name, a.password);
    await refusedEverywhere(machineRows, 'a session cookie', { ...SAME_ORIGIN, cookie: `${SESSION_COOKIE}=${cookie}` });
    await refusedEverywhere(rowsOf('fusioninventory'), 'an API token as basic auth', {
      authorization: basic(a.users.viewer.tokenId, a.users.viewer.token),
    });
  });

  test('an agent credential opens no user or FusionInventory route; its secret alone opens nothing', async () => {
    const [id, secret] = a.agent.credential.split('.') as [string, string];
    await refusedEverywhere([...userRows, ...rowsOf('fusioninventory')], 'an agent credential', {
      authorization: `Bearer ${a.agent.credential}`,
    });
    await refusedEverywhere(userRows, 'an agent credential as a cookie', {
      ...SAME_ORIGIN,
      cookie: `${SESSION_COOKIE}=${a.agent.credential}`,
    });
    await refusedEverywhere(rowsOf('fusioninventory'), 'an agent credential as basic auth', {
      authorization: basic(id, secret),
    });
    await refusedEverywhere([...userRows, ...rowsOf('agent')], 'an agent secret without its id', {
      authorization: `Bearer ${secret}`,
    });
  });

  test('an enrolment token opens no user or agent route, as a bearer token, a cookie or basic auth', async () => {
    const { id, token } = a.enrolment;
    const rows = [...userRows, ...rowsOf('agent')];
    await refusedEverywhere(rows, 'an enrolment token', { authorization: `Bearer ${token}` });
    await refusedEverywhere(rows, 'an enrolment token as an agent credential', {
      authorization: `Bearer ${id}.${token}`,
    });
    await refusedEverywhere(rows, 'an enrolment token as basic auth', { authorization: basic(id, token) });
    await refusedEverywhere(userRows, 'an enrolment token as a cookie', {
      ...SAME_ORIGIN,
      cookie: `${SESSION_COOKIE}=${token}`,
    });
  });

  test("FusionInventory basic auth: one org's token id with another's secret, or a revoked token, opens nothing", async () => {
    const fusionRows = rowsOf('fusioninventory');
    await refusedEverywhere(fusionRows, "org A's token id with org B's token", {
      authorization: basic(a.enrolment.id, b.enrolment.token),
    });
    const revoked = await a.fresh.enrolmentToken();
    await h.expect(204, 'DELETE', `/api/v1/enrolment-tokens/${revoked.id}`, { token: a.users['org-admin'].token });
    await refusedEverywhere(fusionRows, 'a revoked enrolment token', {
      authorization: basic(revoked.id, revoked.token),
    });
  });

  test("another org's agent, or another agent of the org, gets 404 for an agent's jobstates and files", async () => {
    const events = ROUTES.find((row) => row.route === 'POST /agent/v1/jobstates/:id/events') as RouteRow;
    const files = ROUTES.find((row) => row.route === 'GET /agent/v1/files/:sha256') as RouteRow;
    for (const intruder of [b.agent, b.worker, a.agent]) {
      await refusedEverywhere([events], 'another agent', { authorization: `Bearer ${intruder.credential}` }, 404);
    }
    for (const intruder of [b.agent, b.worker]) {
      await refusedEverywhere([files], "another org's agent", { authorization: `Bearer ${intruder.credential}` }, 404);
    }
    for (const row of [events, files]) {
      const reply = await send(h, row, requests.get(row) as Req);
      assert.equal(reply.status, 200, `${row.route} as its own agent → ${reply.status} ${reply.body}`);
    }
  });

  test("a disabled agent's credential opens no agent route until it is enabled again; a deleted one's never", async () => {
    const agentRows = rowsOf('agent');
    const orgAdmin = { token: a.users['org-admin'].token };
    const reqs = new Map<RouteRow, Req>();
    for (const row of agentRows) reqs.set(row, await row.request(a));
    const setEnabled = async (enabled: boolean) => {
      for (const agent of [a.agent, a.worker]) {
        await h.expect(200, 'PATCH', `/api/v1/agents/${agent.id}`, { ...orgAdmin, body: { enabled } });
      }
    };
    const answers = async () => {
      const statuses: Record<string, string> = {};
      for (const row of agentRows) {
        const reply = await send(h, row, reqs.get(row) as Req);
        statuses[row.route] = `${reply.status} ${reply.json?.error?.message ?? ''}`.trim();
      }
      return statuses;
    };
    const refused = '403 this agent is disabled: an administrator must enable it';
    await setEnabled(false);
    assert.deepEqual(await answers(), Object.fromEntries(agentRows.map((row) => [row.route, refused])));
    await setEnabled(true);
    assert.deepEqual(await answers(), Object.fromEntries(agentRows.map((row) => [row.route, String(row.ok)])));

    const gone = await a.fresh.agent();
    await h.expect(204, 'DELETE', `/api/v1/agents/${gone.id}`, orgAdmin);
    await refusedEverywhere(agentRows, 'a deleted agent', { authorization: `Bearer ${gone.credential}` });
  });
});

describe('API tokens, sessions and enrolment tokens over time', () => {
  const clock = new FakeClock('2026-03-01T08:00:00Z');
  const HOUR = 3600_000;
  const password = 'correct horse battery';
  let h: ServerHarness;
  let orgId: string;
  let orgAdmin: string;
  let user: { id: string; name: string; token: string };

  before(async () => {
    h = await startServerHarness({ clock });
    orgId = (await h.createOrg('timed')).id;
    orgAdmin = (await h.createUser(orgId, 'timed-admin', 'org-admin')).token;
    const body = { name: 'olga', role: 'operator', password };
    const made = await h.expect(201, 'POST', `/api/v1/orgs/${orgId}/users`, { token: orgAdmin, body });
    const token = await h.expect(201, 'POST', `/api/v1/users/${made.json.id}/tokens`, { body: { name: 'cli' } });
    user = { id: made.json.id, name: 'olga', token: token.json.token };
  });
  after(() => h.cleanup());

  const mint = async (body: Record<string, unknown> = {}) =>
    (
      await h.expect(201, 'POST', `/api/v1/users/${user.id}/tokens`, {
        token: user.token,
        body: { name: 'minted', ...body },
      })
    ).json as { id: string; token: string };
  const withCookie = (cookie: string, write = false) => ({
    token: null,
    headers: { cookie: `${SESSION_COOKIE}=${cookie}`, ...(write ? SAME_ORIGIN : {}) },
  });

  test('an API token works until the instant it expires, then never again; a revoked one never', async () => {
    const expiring = await mint({ expiresIn: '1h' });
    clock.advance(HOUR - 1);
    await h.expect(200, 'GET', '/api/v1/me', { token: expiring.token });
    clock.advance(1);
    await h.expect(401, 'GET', '/api/v1/me', { token: expiring.token });
    await h.expect(401, 'POST', `/api/v1/users/${user.id}/tokens`, { token: expiring.token, body: { name: 'renew' } });

    const revoked = await mint();
    await h.expect(204, 'DELETE', `/api/v1/tokens/${revoked.id}`, { token: user.token });
    await h.expect(401, 'GET', '/api/v1/me', { token: revoked.token });
    for (const bad of [`${revoked.token}x`, 'tw_never-issued', '']) {
      await h.expect(401, 'GET', '/api/v1/me', { token: null, headers: { authorization: `Bearer ${bad}` } });
    }
    await h.expect(401, 'GET', '/api/v1/me', { token: null, headers: { authorization: basic(user.name, password) } });
  });

  test('a session cookie reads and writes until logout; replayed after it, it is refused', async () => {
    const cookie = await login(h, user.name, password);
    await h.expect(200, 'GET', '/api/v1/me', withCookie(cookie));
    await h.expect(201, 'POST', `/api/v1/users/${user.id}/tokens`, {
      ...withCookie(cookie, true),
      body: { name: 'ui' },
    });
    await h.expect(204, 'POST', '/api/v1/logout', withCookie(cookie, true));
    await h.expect(401, 'GET', '/api/v1/me', withCookie(cookie));
    await h.expect(401, 'POST', `/api/v1/users/${user.id}/tokens`, {
      ...withCookie(cookie, true),
      body: { name: 'ui' },
    });
    await h.expect(401, 'POST', '/api/v1/logout', withCookie(cookie, true));
    // As a bearer token it is the same dead session.
    await h.expect(401, 'GET', '/api/v1/me', { token: cookie });
    await h.expect(200, 'GET', '/api/v1/me', { token: user.token });
  });

  test('a session ends 12 hours after login', async () => {
    const cookie = await login(h, user.name, password);
    clock.advance(12 * HOUR - 1);
    await h.expect(200, 'GET', '/api/v1/me', withCookie(cookie));
    clock.advance(1);
    await h.expect(401, 'GET', '/api/v1/me', withCookie(cookie));
  });

  test("a disabled user's API tokens and sessions stop at once and he cannot log in; enabled, they work again", async () => {
    const cookie = await login(h, user.name, password);
    await h.expect(200, 'POST', `/api/v1/users/${user.id}/disable`, { token: orgAdmin });
    await h.expect(401, 'GET', '/api/v1/me', { token: user.token });
    await h.expect(401, 'GET', '/api/v1/me', withCookie(cookie));
    await h.expect(401, 'POST', `/api/v1/users/${user.id}/tokens`, { token: user.token, body: { name: 'late' } });
    await h.expect(401, 'POST', '/api/v1/login', { token: null, body: { name: user.name, password } });
    await h.expect(200, 'POST', `/api/v1/users/${user.id}/enable`, { token: orgAdmin });
    await h.expect(200, 'GET', '/api/v1/me', { token: user.token });
    await h.expect(200, 'GET', '/api/v1/me', withCookie(cookie));
  });

  test('used-up, expired and revoked enrolment tokens enrol nobody, over either protocol, and write nothing', async () => {
    const enrolmentToken = async (uses: number, expiresIn = '1h') =>
      (await h.expect(201, 'POST', '/api/v1/enrolment-tokens', { token: orgAdmin, body: { uses, expiresIn } })).json;
    const enrol = (token: string, deviceId: string) =>
      h.call('POST', '/agent/v1/enrol', { token: null, body: { token, deviceId } });
    const prolog = (token: { id: string; token: string }, deviceId: string) =>
      h.call('POST', '/plugins/fusioninventory/', {
        token: null,
        headers: { authorization: basic(token.id, token.token), 'content-type': 'application/xml' },
        payload: `<?xml version="1.0" encoding="UTF-8" ?>\n<REQUEST><DEVICEID>${deviceId}</DEVICEID><QUERY>PROLOG</QUERY><TOKEN>1</TOKEN></REQUEST>`,
      });
    const agents = async () => (await h.store.agents.list({ orgId }, { limit: 1000 })).items.length;
    const usesLeft = async (id: string) => (await h.store.enrolmentTokens.get(id))?.usesLeft;

    const usedUp = await enrolmentToken(1);
    assert.equal((await enrol(usedUp.token, 'first')).status, 201);
    const fusionUsedUp = await enrolmentToken(1);
    assert.equal((await prolog(fusionUsedUp, 'fi-first-2026-01-01-00-00-00')).status, 200);
    const expiring = await enrolmentToken(5, '1h');
    const revoked = await enrolmentToken(5);
    await h.expect(204, 'DELETE', `/api/v1/enrolment-tokens/${revoked.id}`, { token: orgAdmin });
    clock.advance(HOUR);
    const before = await agents();

    for (const [what, token] of [
      ['used up', usedUp],
      ['expired', expiring],
      ['revoked', revoked],
    ] as const) {
      const reply = await enrol(token.token, `refused-${what.replace(' ', '-')}`);
      assert.equal(reply.status, 401, `${what}: ${reply.status} ${reply.body}`);
    }
    for (const [what, token, status] of [
      ['used up', fusionUsedUp, 403],
      ['expired', expiring, 403],
      ['revoked', revoked, 401],
    ] as const) {
      const reply = await prolog(token, `fi-new-${what.replace(' ', '-')}-2026-01-01-00-00-00`);
      assert.equal(reply.status, status, `${what} (FusionInventory): ${reply.status} ${reply.body}`);
    }
    assert.equal(await agents(), before, 'no agent was made');
    assert.deepEqual(
      [
        await usesLeft(usedUp.id),
        await usesLeft(fusionUsedUp.id),
        await usesLeft(expiring.id),
        await usesLeft(revoked.id),
      ],
      [0, 0, 5, 5],
    );
    // A used-up token still serves the FusionInventory machine it enrolled (README); revoked, it serves none.
    assert.equal((await prolog(fusionUsedUp, 'fi-first-2026-01-01-00-00-00')).status, 200);
    await h.expect(204, 'DELETE', `/api/v1/enrolment-tokens/${fusionUsedUp.id}`, { token: orgAdmin });
    assert.equal((await prolog(fusionUsedUp, 'fi-first-2026-01-01-00-00-00')).status, 401);
  });
});
