// Bad input gets a 4xx with a stable code and a message naming the field, and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  echoCommand,
  echoTask,
  type RequestOptions,
  type ServerHarness,
  startServerHarness,
} from '../support/server.ts';

interface BadCase {
  name: string;
  method: string;
  url: string | (() => string);
  opts: RequestOptions | (() => RequestOptions);
  status: number;
  code: string;
  /** The field the error must name (details.field), when it is about one. */
  field?: string;
}

describe('bad input', () => {
  let h: ServerHarness;
  let orgId: string;
  let orgAdmin: string;
  let operator: string;
  let operatorId: string;
  let taskId: string;

  before(async () => {
    h = await startServerHarness();
    orgId = (await h.createOrg('acme')).id;
    orgAdmin = (await h.createUser(orgId, 'alice', 'org-admin')).token;
    ({ token: operator, id: operatorId } = await h.createUser(orgId, 'oscar', 'operator'));
    // Server commands are the global admin's.
    await h.expect(201, 'POST', `/api/v1/commands?org=${orgId}`, { body: echoCommand });
    taskId = (await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body: echoTask('existing') })).json.id;
  });
  after(() => h.cleanup());

  /** Everything a bad request could have written. */
  async function snapshot() {
    const all = { limit: 1000 };
    const task = await h.store.tasks.get(taskId);
    return {
      tasks: (await h.store.tasks.list({}, all)).items.length,
      taskVersion: task?.version,
      commands: (await h.store.commands.list(orgId, all)).items.length,
      runs: (await h.store.runs.list({}, all)).items.length,
      users: await h.store.users.count(),
      history: (await h.store.history.list(taskId, all)).items.length,
      operatorTokens: (await h.store.tokens.listForUser(operatorId, all)).items.length,
    };
  }

  const job = (over: Record<string, unknown>) => ({
    name: 'say',
    module: 'command',
    params: { command: echoCommand.name, args: { msg: 'hi' } },
    targets: { server: true },
    ...over,
  });
  const task = (over: Record<string, unknown>) => ({ body: { ...echoTask('new-task'), ...over }, token: operator });

  const cases: BadCase[] = [
    {
      name: 'malformed JSON',
      method: 'POST',
      url: '/api/v1/tasks',
      opts: () => ({ token: operator, payload: '{"name": "x", ', headers: { 'content-type': 'application/json' } }),
      status: 400,
      code: 'invalid_input',
    },
    {
      name: 'a body that is not JSON',
      method: 'POST',
      url: '/api/v1/tasks',
      opts: () => ({ token: operator, payload: 'name=x', headers: { 'content-type': 'text/plain' } }),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'a body over the size limit',
      method: 'POST',
      url: '/api/v1/tasks',
      opts: () => task({ description: 'x'.repeat(1024 * 1024 + 10) }),
      status: 413,
      code: 'payload_too_large',
    },
    {
      name: 'a wrong type',
      method: 'POST',
      url: '/api/v1/tasks',
      opts: () => task({ name: 5 }),
      status: 400,
      code: 'invalid_input',
      field: 'name',
    },
    {
      name: 'an unknown field',
      method: 'POST',
      url: '/api/v1/tasks',
      opts: () => task({ colour: 'red' }),
      status: 400,
      code: 'invalid_input',
      field: 'colour',
    },
    {
      name: 'an unknown field in a job',
      method: 'POST',
      url: '/api/v1/tasks',
      opts: () => task({ jobs: [job({ colour: 'red' })] }),
      status: 400,
      code: 'invalid_input',
      field: 'jobs[0].colour',
    },
    {
      name: 'a bad schedule',
      method: 'POST',
      url: '/api/v1/tasks',
      opts: () => task({ schedule: { kind: 'weekly', days: ['mon'], at: '25:00' } }),
      status: 400,
      code: 'invalid_input',
      field: 'schedule.at',
    },
    {
      name: 'an unknown timeslotEnd',
      method: 'POST',
      url: '/api/v1/tasks',
      opts: () => task({ timeslotEnd: 'stop' }),
      status: 400,
      code: 'invalid_input',
      field: 'timeslotEnd',
    },
    {
      name: 'a replacement definition with a timeslotEnd of the wrong type',
      method: 'PUT',
      url: () => `/api/v1/tasks/${taskId}`,
      opts: () => ({ token: operator, body: { ...echoTask('existing'), timeslotEnd: true } }),
      status: 400,
      code: 'invalid_input',
      field: 'timeslotEnd',
    },
    {
      name: 'an unknown module',
      method: 'POST',
      url: '/api/v1/tasks',
      opts: () => task({ jobs: [job({ module: 'teleport' })] }),
      status: 400,
      code: 'invalid_input',
      field: 'jobs[0].module',
    },
    {
      name: 'a command that is not in the catalog',
      method: 'POST',
      url: '/api/v1/tasks',
      opts: () => task({ jobs: [job({ params: { command: 'format-disk', args: {} } })] }),
      status: 400,
      code: 'invalid_input',
      field: 'jobs[0].params.command',
    },
    {
      name: 'command arguments failing the catalog schema',
      method: 'POST',
      url: '/api/v1/tasks',
      opts: () => task({ jobs: [job({ params: { command: echoCommand.name, args: { msg: '$(id); rm -rf /' } } })] }),
      status: 400,
      code: 'invalid_input',
      field: 'jobs[0].params.args.msg',
    },
    {
      name: 'a replacement definition with a bad delay',
      method: 'PUT',
      url: () => `/api/v1/tasks/${taskId}`,
      opts: () => ({ token: operator, body: { ...echoTask('existing'), jobs: [job({ delay: 'soon' })] } }),
      status: 400,
      code: 'invalid_input',
      field: 'jobs[0].delay',
    },
    {
      name: 'a catalog command embedding a placeholder in an argument',
      method: 'POST',
      url: '/api/v1/commands',
      opts: () => ({ token: orgAdmin, body: { ...echoCommand, name: 'bad-one', argv: ['echo', '--msg={msg}'] } }),
      status: 400,
      code: 'invalid_input',
      field: 'argv[1]',
    },
    {
      name: 'a catalog command with argv of the wrong type',
      method: 'POST',
      url: '/api/v1/commands',
      opts: () => ({ token: orgAdmin, body: { name: 'bad-two', argv: 'df -h' } }),
      status: 400,
      code: 'invalid_input',
      field: 'argv',
    },
    {
      name: 'a catalog command with an unknown field',
      method: 'POST',
      url: '/api/v1/commands',
      opts: () => ({ token: orgAdmin, body: { ...echoCommand, name: 'bad-three', shell: true } }),
      status: 400,
      code: 'invalid_input',
      field: 'shell',
    },
    {
      name: 'a user with an unknown role',
      method: 'POST',
      url: () => `/api/v1/orgs/${orgId}/users`,
      opts: () => ({ token: orgAdmin, body: { name: 'mallory', role: 'superuser' } }),
      status: 400,
      code: 'invalid_input',
      field: 'role',
    },
    {
      name: 'a run wait beyond the maximum',
      method: 'POST',
      url: () => `/api/v1/tasks/${taskId}/runs?wait=1000`,
      opts: () => ({ token: operator }),
      status: 400,
      code: 'invalid_input',
      field: 'wait',
    },
    {
      name: 'a token with a bad expiry',
      method: 'POST',
      url: () => `/api/v1/users/${operatorId}/tokens`,
      opts: () => ({ token: operator, body: { name: 'x', expiresIn: 'soon' } }),
      status: 400,
      code: 'invalid_input',
      field: 'expiresIn',
    },
    {
      name: 'a run listing with an unknown status',
      method: 'GET',
      url: '/api/v1/runs?status=finished,exploded',
      opts: () => ({ token: operator }),
      status: 400,
      code: 'invalid_input',
      field: 'status[1]',
    },
    {
      name: 'a schedule preview with a bad cron expression',
      method: 'POST',
      url: '/api/v1/schedules/preview',
      opts: () => ({ token: operator, body: { schedule: { kind: 'cron', expr: '61 * * * *' } } }),
      status: 400,
      code: 'invalid_input',
      field: 'schedule.expr',
    },
    {
      name: 'a schedule preview with an unknown schedule kind (the wire schema)',
      method: 'POST',
      url: '/api/v1/schedules/preview',
      opts: () => ({ token: operator, body: { schedule: { kind: 'fortnightly' } } }),
      status: 400,
      code: 'invalid_input',
      field: 'schedule.kind',
    },
    {
      name: 'a schedule preview with a field its kind does not have',
      method: 'POST',
      url: '/api/v1/schedules/preview',
      opts: () => ({ token: operator, body: { schedule: { kind: 'cron', expr: '0 2 * * *', every: '1h' } } }),
      status: 400,
      code: 'invalid_input',
      field: 'schedule.every',
    },
  ];

  for (const c of cases) {
    test(`${c.name} → ${c.status} ${c.code}, nothing written`, async () => {
      const beforeState = await snapshot();
      const url = typeof c.url === 'function' ? c.url() : c.url;
      const reply = await h.call(c.method, url, typeof c.opts === 'function' ? c.opts() : c.opts);
      assert.equal(reply.status, c.status, reply.body);
      assert.equal(reply.json?.error?.code, c.code, reply.body);
      assert.equal(typeof reply.json.error.message, 'string');
      if (c.field !== undefined) {
        assert.equal(reply.json.error.details?.field, c.field, reply.body);
        assert.ok(reply.json.error.message.startsWith(`${c.field}: `), reply.json.error.message);
      }
      assert.deepEqual(await snapshot(), beforeState);
    });
  }

  test('the snapshot sees writes (guards against a check that cannot fail)', async () => {
    const beforeState = await snapshot();
    await h.expect(201, 'POST', '/api/v1/tasks', task({ name: 'counted' }));
    assert.notDeepEqual(await snapshot(), beforeState);
  });

  test('an unknown route answers 404 in the error shape', async () => {
    const reply = await h.expect(404, 'GET', '/api/v1/nothing-here');
    assert.equal(reply.json.error.code, 'not_found');
  });
});
