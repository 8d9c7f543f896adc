// Issue 16: global tasks (the global admin's, org-less, server-side) against every org
// credential. Each route of the route table that names a task, run or jobstate by id is
// aimed at a global task's, by each org role (before and after its org-admin opted in to
// see global tasks), by an agent's secret and by an enrolment token: none changes the task
// or starts it, none reads its runs or logs, and without the opt-in none even sees it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerHarness, startServerHarness } from '../support/server.ts';
import { isUserLevel, ROUTES, type RouteRow, rank } from './route-table.ts';
import { send } from './send.ts';
import { ORG_ROLES, type OrgRole, type OrgWorld, twoOrgs } from './world.ts';

const GLOBAL_TASK = {
  name: 'nightly-global',
  schedule: { kind: 'manual' },
  jobs: [{ name: 'work', module: 'noop', params: { log: 'global work' }, targets: { server: true } }],
};

/** Rows that name one task, run or jobstate by id, and which of the global task's ids each takes. */
const BY_ID: Record<string, 'task' | 'run' | 'jobstate'> = {
  '/api/v1/tasks/:id': 'task',
  '/api/v1/summary/:id': 'task',
  '/api/v1/reports/tasks/:id': 'task',
  '/api/v1/runs/:id': 'run',
  '/api/v1/jobstates/:id': 'jobstate',
};
/** What an org role that opted in may read of a global task: the task, its history and its monitoring line. */
const OPT_IN_READS = ['GET /api/v1/tasks/:id', 'GET /api/v1/tasks/:id/history', 'GET /api/v1/summary/:id'];

describe('security: global tasks are the global admin’s', () => {
  let h: ServerHarness;
  let a: OrgWorld;
  let b: OrgWorld;
  const global = { task: '', run: '', jobstate: '' };

  /** The row's request with the global task's id in place of the org's. */
  async function aimed(row: RouteRow) {
    const [method, route] = row.route.split(' ') as [string, string];
    const prefix = Object.keys(BY_ID).find((p) => route.startsWith(p)) as string;
    const req = await row.request(a);
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    return { ...req, method, url: route.replace(':id', global[BY_ID[prefix] as 'task']) + query };
  }
  const rows = ROUTES.filter((row) => Object.keys(BY_ID).some((p) => row.route.split(' ')[1]?.startsWith(p)));
  const allowed = (row: RouteRow, role: OrgRole) => isUserLevel(row.level) && rank(role) >= rank(row.level);

  /** The global task as the admin sees it, and how many runs it has. */
  const snapshot = async () => ({
    task: (await h.expect(200, 'GET', `/api/v1/tasks/${global.task}`)).json,
    runs: (await h.expect(200, 'GET', `/api/v1/tasks/${global.task}/runs`)).json.items.length,
  });

  before(async () => {
    h = await startServerHarness();
    ({ a, b } = await twoOrgs(h));
    const task = (await h.expect(201, 'POST', '/api/v1/tasks?org=global', { body: GLOBAL_TASK })).json;
    assert.equal(task.orgId, 'global');
    global.task = task.id;
    const run = (await h.expect(200, 'POST', `/api/v1/tasks/${task.id}/runs?wait=30`)).json;
    assert.equal(run.status, 'finished');
    global.run = run.id;
    global.jobstate = (await h.expect(200, 'GET', `/api/v1/runs/${run.id}/jobstates`)).json.items[0].id;
    const logs = (await h.expect(200, 'GET', `/api/v1/jobstates/${global.jobstate}/logs`)).json;
    assert.ok(JSON.stringify(logs).includes('global work'), 'the admin reads the global run’s logs');
    assert.ok(rows.length >= 15, `rows aimed: ${rows.map((r) => r.route).join(', ')}`);
  });
  after(() => h.cleanup());

  test('a global task targets the server only, and global-only modules stay out of org tasks', async () => {
    const toAgents = { ...GLOBAL_TASK, name: 'on-agents', jobs: [{ ...GLOBAL_TASK.jobs[0], targets: { all: true } }] };
    const refused = await h.expect(400, 'POST', '/api/v1/tasks?org=global', { body: toAgents });
    assert.equal(refused.json.error.code, 'invalid_input');
    assert.match(refused.json.error.message, /jobs\[0\]\.targets/);
    const backup = { name: 'org-backup', jobs: [{ name: 'b', module: 'backup', targets: { server: true } }] };
    const orgBackup = await h.expect(400, 'POST', `/api/v1/tasks?org=${a.org.id}`, { body: backup });
    assert.match(orgBackup.json.error.message, /jobs\[0\]\.module/);
    for (const role of ORG_ROLES) {
      const reply = await h.call('POST', '/api/v1/tasks?org=global', { token: a.users[role].token, body: GLOBAL_TASK });
      assert.ok([403, 404].includes(reply.status), `${role} creating a global task → ${reply.status}`);
    }
    const names = (await h.expect(200, 'GET', '/api/v1/tasks?org=global')).json.items.map(
      (t: { name: string }) => t.name,
    );
    assert.deepEqual(names, ['nightly-global']);
  });

  test('without the opt-in, no org role sees a global task, its runs or its logs', async () => {
    const before = await snapshot();
    for (const role of ORG_ROLES) {
      const token = a.users[role].token;
      for (const row of rows) {
        const reply = await send(h, row, await aimed(row), token);
        const expected = allowed(row, role) ? 404 : 403;
        assert.equal(reply.status, expected, `${role} ${row.route} → ${reply.status} ${reply.body.slice(0, 200)}`);
        assert.ok(!reply.body.includes('nightly-global'), `${role} ${row.route} shows the global task`);
      }
      for (const url of ['/api/v1/tasks', '/api/v1/summary', '/api/v1/runs']) {
        const reply = await h.expect(200, 'GET', url, { token });
        assert.ok(!reply.body.includes(global.task) && !reply.body.includes(global.run), `${role} ${url}`);
      }
      assert.equal((await h.call('GET', '/api/v1/tasks?org=global', { token })).status, 404);
    }
    assert.deepEqual(await snapshot(), before);
  });

  test('agent secrets and enrolment tokens reach nothing of a global task', async () => {
    const before = await snapshot();
    const enrolment = `Bearer ${a.enrolment.token}`;
    for (const row of rows) {
      const req = await aimed(row);
      for (const [what, token] of [
        ['agent secret', a.agent.credential],
        ['enrolment token', a.enrolment.token],
      ] as const) {
        const reply = await send(h, row, req, token);
        assert.equal(reply.status, 401, `${what} ${row.route} → ${reply.status}`);
      }
      const basic = await send(h, row, { ...req, headers: { authorization: enrolment } }, null);
      assert.equal(basic.status, 401, `enrolment header ${row.route} → ${basic.status}`);
    }
    assert.deepEqual(await snapshot(), before);
  });

  test('an org that opted in reads global tasks, marked global, and changes or runs none', async () => {
    // Only its org-admin may opt in, for his own org.
    assert.equal(
      (
        await h.call('PUT', `/api/v1/orgs/${a.org.id}/global-tasks`, {
          token: a.users.operator.token,
          body: { show: true },
        })
      ).status,
      403,
    );
    assert.equal(
      (
        await h.call('PUT', `/api/v1/orgs/${a.org.id}/global-tasks`, {
          token: b.users['org-admin'].token,
          body: { show: true },
        })
      ).status,
      404,
    );
    const optIn = { token: a.users['org-admin'].token, body: { show: true } };
    await h.expect(200, 'PUT', `/api/v1/orgs/${a.org.id}/global-tasks`, optIn);
    const detail = await h.expect(200, 'GET', `/api/v1/orgs/${a.org.id}`, { token: a.users.viewer.token });
    assert.equal(detail.json.showGlobalTasks, true);
    const before = await snapshot();
    try {
      for (const role of ORG_ROLES) {
        const token = a.users[role].token;
        const listed = (await h.expect(200, 'GET', '/api/v1/tasks', { token })).json.items;
        const shown = listed.find((t: { id: string }) => t.id === global.task);
        assert.equal(shown?.orgId, 'global', `${role} sees the global task in the list, marked global`);
        assert.ok(
          listed.some((t: { id: string }) => t.id === a.taskId),
          'and its own tasks still',
        );
        const lines = (await h.expect(200, 'GET', '/api/v1/summary', { token })).json.items;
        assert.ok(lines.some((l: { taskId: string }) => l.taskId === global.task));
        for (const row of rows) {
          const reply = await send(h, row, await aimed(row), token);
          const route = row.route;
          const expected = !allowed(row, role)
            ? 403
            : OPT_IN_READS.includes(route)
              ? 200
              : route.includes('/tasks/:id') && !route.startsWith('GET')
                ? 403
                : 404;
          assert.equal(reply.status, expected, `${role} ${route} → ${reply.status} ${reply.body.slice(0, 200)}`);
          if (allowed(row, role) && expected === 403) assert.equal(reply.json.error.code, 'global_task_read_only');
        }
      }
      // The other org did not opt in: it still sees nothing.
      const other = await h.call('GET', `/api/v1/tasks/${global.task}`, { token: b.users['org-admin'].token });
      assert.equal(other.status, 404);
      const otherList = await h.expect(200, 'GET', '/api/v1/tasks', { token: b.users.viewer.token });
      assert.ok(!otherList.body.includes(global.task));
      assert.deepEqual(await snapshot(), before);
    } finally {
      await h.expect(200, 'PUT', `/api/v1/orgs/${a.org.id}/global-tasks`, { ...optIn, body: { show: false } });
    }
  });

  test('the global admin changes, runs and deletes global tasks', async () => {
    const id = global.task;
    const changed = { ...GLOBAL_TASK, description: 'changed' };
    assert.equal((await h.expect(200, 'PUT', `/api/v1/tasks/${id}`, { body: changed })).json.description, 'changed');
    await h.expect(200, 'POST', `/api/v1/tasks/${id}/disable`);
    const all = (await h.expect(200, 'GET', '/api/v1/tasks')).json.items;
    assert.ok(
      all.some((t: { id: string }) => t.id === id),
      'the admin’s list of every org holds the global tasks',
    );
    const second = (
      await h.expect(201, 'POST', '/api/v1/tasks?org=global', { body: { ...GLOBAL_TASK, name: 'spare' } })
    ).json;
    await h.expect(204, 'DELETE', `/api/v1/tasks/${second.id}`);
  });
});
