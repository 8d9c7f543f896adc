// POST /api/v1/tasks:batch: many tasks in one request, all or none, each checked as a
// single create is, an error naming the item (tasks[i].field); names already taken are 409.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_BATCH_TASKS } from '../../src/protocol/tasks.ts';
import { noopTask, type ServerHarness, startServerHarness } from '../support/server.ts';

const BATCH = '/api/v1/tasks:batch';

describe('tasks:batch', () => {
  let h: ServerHarness;
  let orgId: string;
  let operator: string;
  let viewer: string;
  let otherOperator: string;

  before(async () => {
    h = await startServerHarness();
    orgId = (await h.createOrg('acme')).id;
    operator = (await h.createUser(orgId, 'oscar', 'operator')).token;
    viewer = (await h.createUser(orgId, 'vera', 'viewer')).token;
    const otherOrg = (await h.createOrg('globex')).id;
    otherOperator = (await h.createUser(otherOrg, 'gus', 'operator')).token;
  });
  after(() => h.cleanup());

  const taskCount = async () => (await h.store.tasks.list({ orgId }, { limit: 1000 })).items.length;

  /** Asserts the batch fails with `status`/`code`, its message naming `field`, and writes nothing. */
  async function refused(tasks: unknown[], want: { status: number; code: string; field: string }, token = operator) {
    const before = await taskCount();
    const reply = await h.call('POST', `${BATCH}?org=${orgId}`, { token, body: { tasks } });
    assert.equal(reply.status, want.status, reply.body);
    assert.equal(reply.json.error.code, want.code);
    assert.ok(reply.json.error.message.startsWith(`${want.field}:`), reply.json.error.message);
    assert.equal(await taskCount(), before, 'nothing written');
  }

  test('creates a full batch in one request: every task, its trigger and its history entry', async () => {
    const tasks = Array.from({ length: MAX_BATCH_TASKS }, (_, i) => noopTask(`bulk-${i}`));
    const reply = await h.expect(201, 'POST', `${BATCH}?org=${orgId}`, { token: operator, body: { tasks } });
    assert.equal(reply.json.items.length, MAX_BATCH_TASKS);
    assert.deepEqual(
      reply.json.items.map((t: { name: string }) => t.name),
      tasks.map((t) => t.name),
    );
    const [first, last] = [reply.json.items[0].id, reply.json.items.at(-1).id];
    for (const id of [first, last]) {
      const task = await h.store.tasks.get(id);
      assert.equal(task?.orgId, orgId);
      assert.equal((await h.store.triggers.get(id))?.nextFireAt, Date.parse('2030-01-01T00:00:00Z'));
      const history = await h.expect(200, 'GET', `/api/v1/tasks/${id}/history`);
      assert.equal(history.json.items.length, 1);
      assert.equal(history.json.items[0].action, 'create');
      assert.equal(history.json.items[0].actor, 'oscar');
    }
    assert.equal(await taskCount(), MAX_BATCH_TASKS);
  });

  test('a bad item fails the batch, naming its index and field; the good items are not written', async () => {
    const tasks = [noopTask('good-0'), noopTask('good-1'), noopTask('bad-2', { misfire: 'sometimes' })];
    await refused(tasks, { status: 400, code: 'invalid_input', field: 'tasks[2].misfire' });
    const badJob = [noopTask('good-0'), noopTask('bad-1', { jobs: [{ name: 'x', module: 'nope', targets: {} }] })];
    await refused(badJob, { status: 400, code: 'invalid_input', field: 'tasks[1].jobs[0].module' });
    const unknownCalendar = [noopTask('good-0'), noopTask('bad-1', { calendars: ['holidays'] })];
    await refused(unknownCalendar, { status: 400, code: 'invalid_input', field: 'tasks[1].calendars[0]' });
  });

  test('names: two items of one name are 400, a name the org already has is 409, both naming the item', async () => {
    await refused([noopTask('twin'), noopTask('other'), noopTask('twin')], {
      status: 400,
      code: 'invalid_input',
      field: 'tasks[2].name',
    });
    await h.expect(201, 'POST', `/api/v1/tasks?org=${orgId}`, { token: operator, body: noopTask('taken') });
    await refused([noopTask('fresh-0'), noopTask('taken')], {
      status: 409,
      code: 'task_name_taken',
      field: 'tasks[1].name',
    });
    assert.equal(await h.store.tasks.getByName(orgId, 'fresh-0'), null);
  });

  test('a body over the limit, an empty batch or an unknown field is 400, naming it', async () => {
    const tooMany = Array.from({ length: MAX_BATCH_TASKS + 1 }, (_, i) => noopTask(`over-${i}`));
    await refused(tooMany, { status: 400, code: 'invalid_input', field: 'tasks' });
    await refused([], { status: 400, code: 'invalid_input', field: 'tasks' });
    const extra = await h.call('POST', `${BATCH}?org=${orgId}`, {
      token: operator,
      body: { tasks: [noopTask('x')], upsert: true },
    });
    assert.equal(extra.status, 400);
    assert.match(extra.json.error.message, /^upsert:/);
  });

  test('a viewer, and an operator of another org, may not create tasks in this org', async () => {
    const byViewer = await h.call('POST', `${BATCH}?org=${orgId}`, { token: viewer, body: { tasks: [noopTask('v')] } });
    assert.equal(byViewer.status, 403);
    const byOther = await h.call('POST', `${BATCH}?org=${orgId}`, {
      token: otherOperator,
      body: { tasks: [noopTask('o')] },
    });
    assert.ok([403, 404].includes(byOther.status), byOther.body);
    assert.equal(await h.store.tasks.getByName(orgId, 'v'), null);
    assert.equal(await h.store.tasks.getByName(orgId, 'o'), null);
  });
});
