// The rest of the REST surface: sessions, cancelling and waiting on runs, schedule previews,
// modules, pagination and the OpenAPI document.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

const sleepCommand = {
  name: 'nap',
  argv: ['sleep', '{seconds}'],
  params: { seconds: { type: 'integer', minimum: 1, maximum: 60 } },
  runsOn: 'server',
};

describe('api', () => {
  let h: ServerHarness;
  let orgId: string;
  let orgAdmin: string;
  let operator: string;

  before(async () => {
    h = await startServerHarness();
    orgId = (await h.createOrg('acme')).id;
    orgAdmin = (await h.createUser(orgId, 'alice', 'org-admin')).token;
    operator = (await h.createUser(orgId, 'oscar', 'operator')).token;
    // Server commands are the global admin's.
    await h.expect(201, 'POST', `/api/v1/commands?org=${orgId}`, { body: sleepCommand });
  });
  after(() => h.cleanup());

  test('login sets an HttpOnly, SameSite=Strict session cookie; logout ends the session', async () => {
    const body = { name: 'pat', role: 'viewer', password: 'correct horse' };
    const user = await h.expect(201, 'POST', `/api/v1/orgs/${orgId}/users`, { token: orgAdmin, body });
    assert.equal(user.json.hasPassword, true);
    assert.ok(!('passwordHash' in user.json));
    await h.expect(401, 'POST', '/api/v1/login', { token: null, body: { name: 'pat', password: 'wrong password' } });
    await h.expect(401, 'POST', '/api/v1/login', { token: null, body: { name: 'nobody', password: 'correct horse' } });
    await h.expect(401, 'POST', '/api/v1/login', { token: null, body: { name: 'oscar', password: 'no password set' } });
    const login = await h.expect(200, 'POST', '/api/v1/login', {
      token: null,
      body: { name: 'pat', password: 'correct horse' },
    });
    assert.equal(login.json.user.name, 'pat');
    const setCookie = String(login.headers['set-cookie']);
    assert.match(setCookie, /^taskwarden_session=tw_[\w-]+;/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\//);
    const cookie = setCookie.split(';')[0] as string;
    const me = await h.expect(200, 'GET', '/api/v1/me', { token: null, headers: { cookie } });
    assert.equal(me.json.name, 'pat');
    const sessions = await h.expect(200, 'GET', `/api/v1/users/${user.json.id}/tokens`, {
      token: null,
      headers: { cookie },
    });
    const session = sessions.json.items.find((t: { name: string }) => t.name === 'session');
    assert.ok(session.expiresAt > new Date(Date.now() + 11 * 3600_000).toISOString());
    // A write with the cookie comes from the server's own pages (the origin check).
    const logout = await h.expect(204, 'POST', '/api/v1/logout', {
      token: null,
      headers: { cookie, origin: 'http://localhost' },
    });
    assert.match(String(logout.headers['set-cookie']), /taskwarden_session=;/);
    await h.expect(401, 'GET', '/api/v1/me', { token: null, headers: { cookie } });
  });

  test('logging out with an API token leaves the token valid', async () => {
    await h.expect(204, 'POST', '/api/v1/logout', { token: operator });
    await h.expect(200, 'GET', '/api/v1/me', { token: operator });
  });

  test('a token made with expiresIn carries its expiry', async () => {
    const me = (await h.expect(200, 'GET', '/api/v1/me', { token: operator })).json;
    const made = await h.expect(201, 'POST', `/api/v1/users/${me.id}/tokens`, {
      token: operator,
      body: { name: 'ci', expiresIn: '2d' },
    });
    const expires = Date.parse(made.json.expiresAt) - Date.parse(made.json.createdAt);
    assert.equal(expires, 2 * 86400_000);
  });

  test('a wait that runs out answers 201 with the run still running; cancel ends it, twice is a conflict', async () => {
    const task = await h.expect(201, 'POST', '/api/v1/tasks', {
      token: operator,
      body: {
        name: 'long',
        jobs: [{ name: 'nap', module: 'command', params: { command: 'nap', args: { seconds: 30 } } }],
      },
    });
    const run = await h.expect(201, 'POST', `/api/v1/tasks/${task.json.id}/runs?wait=1`, { token: operator });
    assert.equal(run.json.status, 'running');
    assert.equal(run.json.finishedAt, null);
    const cancelled = await h.expect(200, 'POST', `/api/v1/runs/${run.json.id}/cancel`, { token: operator });
    assert.equal(cancelled.json.status, 'cancelled');
    assert.equal(cancelled.json.counts.running + cancelled.json.counts.waiting + cancelled.json.counts.prepared, 0);
    const again = await h.expect(409, 'POST', `/api/v1/runs/${run.json.id}/cancel`, { token: operator });
    assert.equal(again.json.error.code, 'run_not_cancellable');
  });

  test('deleting a task removes it; its history stays in the store', async () => {
    const task = await h.expect(201, 'POST', '/api/v1/tasks', {
      token: operator,
      body: { name: 'short-lived', jobs: [{ name: 'n', module: 'noop' }] },
    });
    await h.expect(204, 'DELETE', `/api/v1/tasks/${task.json.id}`, { token: operator });
    await h.expect(404, 'GET', `/api/v1/tasks/${task.json.id}`, { token: operator });
    const history = await h.store.history.list(task.json.id, { limit: 10 });
    assert.deepEqual(
      history.items.map((e) => e.action),
      ['create', 'delete'],
    );
  });

  test('timeslotEnd defaults to finish, reads back as written, and its change is in the history', async () => {
    const body = { name: 'night-window', jobs: [{ name: 'n', module: 'noop' }] };
    const created = await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body });
    assert.equal(created.json.timeslotEnd, 'finish');
    const url = `/api/v1/tasks/${created.json.id}`;
    const updated = await h.expect(200, 'PUT', url, { token: operator, body: { ...body, timeslotEnd: 'pause' } });
    assert.equal(updated.json.timeslotEnd, 'pause');
    assert.equal((await h.expect(200, 'GET', url, { token: operator })).json.timeslotEnd, 'pause');
    const history = (await h.expect(200, 'GET', `${url}/history`, { token: operator })).json.items;
    assert.deepEqual(history[1].diff, { timeslotEnd: { from: 'finish', to: 'pause' } });
  });

  test('history diffs name fields as the task file does (expireAfter, retry.attempts), created included', async () => {
    const job = { name: 'n', module: 'noop' };
    const body = { name: 'renamed-fields', expireAfter: '1h', jobs: [job] };
    const created = await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body });
    const url = `/api/v1/tasks/${created.json.id}`;
    const changed = { ...body, expireAfter: '2h', jobs: [{ ...job, retry: { attempts: 3, backoff: '2m' } }] };
    await h.expect(200, 'PUT', url, { token: operator, body: changed });
    const history = (await h.expect(200, 'GET', `${url}/history`, { token: operator })).json.items;
    assert.equal(history[0].diff.created.expireAfter, '1h');
    assert.equal(history[0].diff.created.expireAfterSeconds, undefined);
    assert.deepEqual(Object.keys(history[1].diff).sort(), ['expireAfter', 'jobs']);
    assert.deepEqual(history[1].diff.expireAfter, { from: '1h', to: '2h' });
    assert.equal(history[1].diff.jobs.from[0].retry.attempts, 0);
    assert.deepEqual(history[1].diff.jobs.to[0].retry, { attempts: 3, backoff: '2m' });
    assert.equal(JSON.stringify(history[1].diff).includes('retryAttempts'), false);
  });

  test('a duplicate task name in the org is a conflict: task_name_taken', async () => {
    const body = { name: 'twice', jobs: [{ name: 'n', module: 'noop' }] };
    await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body });
    const again = await h.expect(409, 'POST', '/api/v1/tasks', { token: operator, body });
    assert.equal(again.json.error.code, 'task_name_taken');
  });

  test('schedule preview lists the next firings in UTC with a description', async () => {
    const preview = await h.expect(200, 'POST', '/api/v1/schedules/preview', {
      token: operator,
      body: {
        schedule: { kind: 'weekly', days: ['mon', 'wed'], at: '09:00', tz: 'Europe/Paris' },
        blackouts: [{ from: '2026-12-02T00:00:00+01:00', to: '2026-12-03T00:00:00+01:00' }],
        from: '2026-11-30T00:00:00Z',
        count: 3,
      },
    });
    // Wednesday's firing falls in the blackout and is deferred to its end (midnight Paris time).
    assert.deepEqual(preview.json.firings, [
      '2026-11-30T08:00:00.000Z',
      '2026-12-02T23:00:00.000Z',
      '2026-12-07T08:00:00.000Z',
    ]);
    assert.equal(typeof preview.json.description, 'string');
    assert.ok(preview.json.description.length > 0);
  });

  test('modules are listed with their params schema', async () => {
    const modules = await h.expect(200, 'GET', '/api/v1/modules', { token: operator });
    const command = modules.json.items.find((m: { name: string }) => m.name === 'command');
    assert.equal(command.runsOn, 'both');
    assert.ok(command.paramsSchema.properties.command);
    assert.equal(modules.json.next, null);
    // backup spans the installation: only global tasks use it, so only the global admin is offered it.
    const names = (list: { json: { items: { name: string }[] } }) => list.json.items.map((m) => m.name);
    assert.equal(names(modules).includes('backup'), false);
    assert.equal(names(await h.expect(200, 'GET', '/api/v1/modules')).includes('backup'), true);
  });

  test('lists paginate with limit and the next cursor', async () => {
    for (const name of ['p1', 'p2', 'p3']) await h.createOrg(name);
    const seen: string[] = [];
    let url = '/api/v1/orgs?limit=2';
    for (let pages = 0; pages < 10; pages++) {
      const page = (await h.expect(200, 'GET', url)).json;
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((o: { name: string }) => o.name));
      if (page.next === null) break;
      url = `/api/v1/orgs?limit=2&after=${encodeURIComponent(page.next)}`;
    }
    assert.deepEqual(seen.sort(), ['acme', 'p1', 'p2', 'p3']);
  });

  test('the OpenAPI document describes the routes; the docs UI is public', async () => {
    const doc = await h.expect(200, 'GET', '/api/docs/json', { token: null });
    assert.match(doc.json.openapi, /^3\./);
    for (const path of ['/api/v1/tasks', '/api/v1/tasks/{id}/runs', '/api/v1/summary', '/api/v1/jobstates/{id}/logs']) {
      assert.ok(doc.json.paths[path], `${path} is documented`);
    }
    const ui = await h.call('GET', '/api/docs', { token: null });
    assert.ok(ui.status === 200 || ui.status === 302, `docs UI answered ${ui.status}`);
  });
});
