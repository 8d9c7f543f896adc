// Issue 12, "server-side programs are the global admin's": the server's own machine runs
// only what the global admin defined, and an org's server-side modules touch that org's
// rows only. Each test is an attack that worked before the rule (see the closing note).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

/** A catalog entry that prints any file it is given: harmless on an agent, fatal on the server. */
const catCommand = (name: string, runsOn?: string) => ({
  name,
  argv: ['cat', '{path}'],
  params: { path: { type: 'string', pattern: '^/[A-Za-z0-9/_.-]*$' } },
  ...(runsOn === undefined ? {} : { runsOn }),
});

const serverTask = (name: string, command: string, args: Record<string, unknown>) => ({
  name,
  schedule: { kind: 'manual' },
  jobs: [{ name: 'run', module: 'command', params: { command, args }, targets: { server: true } }],
});

interface Org {
  id: string;
  admin: string;
  operator: string;
}

describe('security: server-side programs are the global admin’s', () => {
  let h: ServerHarness;
  let a: Org;
  let b: Org;
  let tokenPath: string;

  const makeOrg = async (name: string): Promise<Org> => {
    const org = await h.createOrg(name);
    return {
      id: org.id,
      admin: (await h.createUser(org.id, `${name}-admin`, 'org-admin')).token,
      operator: (await h.createUser(org.id, `${name}-operator`, 'operator')).token,
    };
  };

  /** Every log line of every jobstate of the run, read as the global admin. */
  const runLines = async (runId: string): Promise<string[]> => {
    const jobstates = (await h.expect(200, 'GET', `/api/v1/runs/${runId}/jobstates`)).json.items;
    const lines: string[] = [];
    for (const js of jobstates) {
      const logs = await h.expect(200, 'GET', `/api/v1/jobstates/${js.id}/logs?limit=1000`);
      lines.push(...logs.json.items.map((item: { line: string }) => item.line));
    }
    return lines;
  };

  /** Runs the task as `token` and returns the run with its log lines. */
  const runTask = async (taskId: string, token: string) => {
    const run = (await h.expect(200, 'POST', `/api/v1/tasks/${taskId}/runs?wait=20`, { token })).json;
    return { run, lines: await runLines(run.id) };
  };

  /**
   * The whole attack as an org-admin: define `cat {path}` (with `runsOn` as given), save a
   * task running it on the server on admin.token, run it. Returns each step's answer and
   * whether the token reached a log.
   */
  const readAdminToken = async (org: Org, name: string, runsOn?: string) => {
    const command = await h.call('POST', '/api/v1/commands', { token: org.admin, body: catCommand(name, runsOn) });
    const task = await h.call('POST', '/api/v1/tasks', {
      token: org.admin,
      body: serverTask(`steal-${name}`, name, { path: tokenPath }),
    });
    let leaked = false;
    if (task.status === 201) {
      const { lines } = await runTask(task.json.id, org.admin);
      leaked = lines.some((line) => line.includes(h.adminToken));
    }
    return { command, task, leaked };
  };

  before(async () => {
    h = await startServerHarness();
    tokenPath = join(h.dataDir, 'admin.token');
    a = await makeOrg('org-a');
    b = await makeOrg('org-b');
  });
  after(() => h.cleanup());

  for (const runsOn of ['server', 'both']) {
    test(`an org-admin's runsOn "${runsOn}" is 403: no org task reads admin.token on the server`, async () => {
      const attack = await readAdminToken(a, `steal-${runsOn}`, runsOn);
      assert.equal(attack.leaked, false, 'the global admin token reached a job log');
      assert.equal(attack.command.status, 403, attack.command.body);
      assert.equal(attack.command.json.error.code, 'global_admin_only');
      assert.match(attack.command.json.error.message, /runsOn.*only the global admin/);
      assert.equal(attack.task.status, 400, 'the task names a command that does not exist');
      assert.equal(
        (await h.store.commands.list(a.id, { limit: 100 })).items.some((c) => c.name === `steal-${runsOn}`),
        false,
        'a refused command changes nothing',
      );
    });
  }

  test('an org-admin who omits runsOn defines an agent command: the server never runs it', async () => {
    const attack = await readAdminToken(a, 'steal-default');
    assert.equal(attack.leaked, false, 'the global admin token reached a job log');
    assert.equal(attack.command.status, 201, attack.command.body);
    assert.equal(attack.command.json.runsOn, 'agent');
    assert.equal(attack.task.status, 400, attack.task.body);
    assert.match(attack.task.json.error.message, /^jobs\[0\]\.targets: .*agents only/);
    // The global admin's own default stays the server.
    const own = await h.expect(201, 'POST', `/api/v1/commands?org=${a.id}`, { body: catCommand('admin-default') });
    assert.equal(own.json.runsOn, 'server');
  });

  test('an org-admin cannot replace or delete a command the global admin defined for the org', async () => {
    const body = { name: 'admin-echo', argv: ['echo', '{msg}'], params: { msg: { type: 'string' } } };
    const made = (await h.expect(201, 'POST', `/api/v1/commands?org=${a.id}`, { body })).json;
    const replace = await h.call('POST', '/api/v1/commands', {
      token: a.admin,
      body: { ...body, argv: ['cat', '{msg}'], runsOn: 'agent' },
    });
    assert.equal(replace.status, 403, replace.body);
    assert.equal(replace.json.error.code, 'global_admin_only');
    await h.expect(403, 'DELETE', `/api/v1/commands/${made.id}`, { token: a.admin });
    const kept = await h.store.commands.get(made.id);
    assert.deepEqual([kept?.argv, kept?.runsOn], [['echo', '{msg}'], 'server']);
  });

  test('a server command from before the rule (an org row the admin never vouched for) is refused and never runs', async () => {
    // The admin defines a harmless server command; an org task uses it on the server.
    const body = { name: 'legacy', argv: ['echo', '{path}'], params: { path: { type: 'string' } } };
    const made = (await h.expect(201, 'POST', `/api/v1/commands?org=${a.id}`, { body })).json;
    const task = (
      await h.expect(201, 'POST', '/api/v1/tasks', {
        token: a.admin,
        body: serverTask('uses-legacy', 'legacy', { path: tokenPath }),
      })
    ).json;
    // The row as an org-admin could write it before the rule: an org's own server command.
    const stored = await h.store.commands.get(made.id);
    assert.ok(stored);
    await h.store.commands.upsert({ ...stored, argv: ['cat', '{path}'], definedByAdmin: false });
    const { run, lines } = await runTask(task.id, a.admin);
    assert.ok(!lines.some((line) => line.includes(h.adminToken)), 'the global admin token reached a job log');
    assert.equal(run.status, 'error');
    assert.ok(
      lines.some((line) => /not a server command of the global admin/.test(line)),
      lines.join('\n'),
    );
    // Saving a task with it is refused too, naming the field.
    const again = await h.call('POST', '/api/v1/tasks', {
      token: a.admin,
      body: serverTask('uses-legacy-again', 'legacy', { path: '/etc/hostname' }),
    });
    assert.equal(again.status, 403, again.body);
    assert.match(again.json.error.message, /^jobs\[0\]\.params\.command: /);
  });

  test('an org command of the same name does not replace the global admin’s server command on the server', async () => {
    const global = { name: 'whoami-server', argv: ['echo', 'global entry'], global: true };
    await h.expect(201, 'POST', '/api/v1/commands', { body: global });
    const task = (
      await h.expect(201, 'POST', '/api/v1/tasks', {
        token: a.operator,
        body: serverTask('uses-global', 'whoami-server', {}),
      })
    ).json;
    // The org-admin defines an agent command of the same name, printing admin.token.
    const shadow = { name: 'whoami-server', argv: ['cat', tokenPath] };
    const own = await h.expect(201, 'POST', '/api/v1/commands', { token: a.admin, body: shadow });
    assert.equal(own.json.runsOn, 'agent');
    const { run, lines } = await runTask(task.id, a.operator);
    assert.ok(!lines.some((line) => line.includes(h.adminToken)), 'the global admin token reached a job log');
    assert.equal(run.status, 'finished', lines.join('\n'));
    assert.ok(lines.includes('global entry'), lines.join('\n'));
  });

  test('the global admin’s server commands, per org (?org=) and global, run in org tasks by name', async () => {
    await h.expect(201, 'POST', '/api/v1/commands', {
      body: {
        name: 'hello-all',
        argv: ['echo', 'hello', '{who}'],
        params: { who: { type: 'string', pattern: '^[a-z]+$' } },
        global: true,
      },
    });
    await h.expect(201, 'POST', `/api/v1/commands?org=${b.id}`, {
      body: { name: 'hello-b', argv: ['echo', 'only b'] },
    });
    const listed = (await h.expect(200, 'GET', '/api/v1/commands?limit=1000', { token: b.operator })).json.items;
    assert.ok(listed.some((c: { name: string; orgId: string | null }) => c.name === 'hello-all' && c.orgId === null));
    const task = (
      await h.expect(201, 'POST', '/api/v1/tasks', {
        token: b.operator,
        body: {
          ...serverTask('greetings', 'hello-all', { who: 'bob' }),
          jobs: [
            {
              name: 'all',
              module: 'command',
              params: { command: 'hello-all', args: { who: 'bob' } },
              targets: { server: true },
            },
            { name: 'own', module: 'command', params: { command: 'hello-b' }, targets: { server: true } },
          ],
        },
      })
    ).json;
    const { run, lines } = await runTask(task.id, b.operator);
    assert.equal(run.status, 'finished', lines.join('\n'));
    assert.ok(lines.includes('hello bob') && lines.includes('only b'), lines.join('\n'));
    // Org A does not have org B's entry.
    const other = await h.call('POST', '/api/v1/tasks', {
      token: a.operator,
      body: serverTask('not-mine', 'hello-b', {}),
    });
    assert.equal(other.status, 400, other.body);
  });
});

describe('security: one org’s server-side modules touch that org’s rows only', () => {
  let h: ServerHarness;

  before(async () => {
    h = await startServerHarness();
  });
  after(() => h.cleanup());

  test('a housekeeping task of org B prunes org B’s old runs and log lines, never org A’s', async () => {
    await h.expect(201, 'POST', '/api/v1/commands', { body: { name: 'say', argv: ['echo', 'kept'], global: true } });
    const orgs = [];
    for (const name of ['keeper', 'pruner']) {
      const org = await h.createOrg(name);
      const operator = (await h.createUser(org.id, `${name}-op`, 'operator')).token;
      const task = (
        await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body: serverTask('say', 'say', {}) })
      ).json;
      const run = (await h.expect(200, 'POST', `/api/v1/tasks/${task.id}/runs?wait=20`, { token: operator })).json;
      assert.equal(run.status, 'finished');
      orgs.push({ org, operator, run });
    }
    const [keeper, pruner] = orgs as [(typeof orgs)[number], (typeof orgs)[number]];
    // Both runs are older than the housekeeping's one-second retention.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const housekeeping = {
      name: 'housekeeping',
      schedule: { kind: 'manual' },
      jobs: [
        { name: 'prune', module: 'housekeeping', params: { keepRuns: 1, keepLogs: 1 }, targets: { server: true } },
      ],
    };
    const task = (await h.expect(201, 'POST', '/api/v1/tasks', { token: pruner.operator, body: housekeeping })).json;
    const run = (await h.expect(200, 'POST', `/api/v1/tasks/${task.id}/runs?wait=20`, { token: pruner.operator })).json;
    assert.equal(run.status, 'finished');
    // Org B's own history is gone; org A's run and its log are all there.
    await h.expect(404, 'GET', `/api/v1/runs/${pruner.run.id}`);
    await h.expect(200, 'GET', `/api/v1/runs/${keeper.run.id}`);
    const [js] = (await h.expect(200, 'GET', `/api/v1/runs/${keeper.run.id}/jobstates`)).json.items;
    const logs = (await h.expect(200, 'GET', `/api/v1/jobstates/${js.id}/logs`)).json.items;
    assert.ok(
      logs.some((item: { line: string }) => item.line === 'kept'),
      'org A’s log lines were pruned by org B',
    );
  });
});
