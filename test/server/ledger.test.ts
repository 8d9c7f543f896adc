// The ledger over HTTP: the last outcome per (task, job, target), whichever run and attempt
// made it, filtered, paged, and limited to the caller's org.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

describe('GET /api/v1/ledger', () => {
  let h: ServerHarness;
  let viewer: string;
  let stranger: string;
  let taskId: string;
  let firstRun: string;
  let secondRun: string;

  before(async () => {
    h = await startServerHarness();
    const org = await h.createOrg('ledger-org');
    const operator = (await h.createUser(org.id, 'olga', 'operator')).token;
    viewer = (await h.createUser(org.id, 'vera', 'viewer')).token;
    const other = await h.createOrg('ledger-other');
    stranger = (await h.createUser(other.id, 'sam', 'org-admin')).token;
    const task = {
      name: 'ledgered',
      schedule: { kind: 'manual' },
      jobs: [
        { name: 'good', module: 'noop', params: {}, targets: { server: true } },
        {
          name: 'flaky',
          module: 'noop',
          params: { failTimes: 1 },
          targets: { server: true },
          retry: { attempts: 1, backoff: '1s' },
          startIf: 'always',
        },
        { name: 'bad', module: 'noop', params: { failTimes: 5 }, targets: { server: true }, startIf: 'always' },
      ],
    };
    taskId = (await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body: task })).json.id;
    firstRun = (await h.expect(200, 'POST', `/api/v1/tasks/${taskId}/runs?wait=20`, { token: operator })).json.id;
    secondRun = (await h.expect(200, 'POST', `/api/v1/tasks/${taskId}/runs?wait=20`, { token: operator })).json.id;
    await h.expect(201, 'POST', '/api/v1/tasks', {
      token: stranger,
      body: { name: 'theirs', schedule: { kind: 'manual' }, jobs: [task.jobs[0]] },
    });
  });
  after(() => h.cleanup());

  test('one entry per job and target: the latest run, its attempt and outcome', async () => {
    const res = await h.expect(200, 'GET', '/api/v1/ledger', { token: viewer });
    const rows = res.json.items.map((e: Record<string, unknown>) => [e.job, e.outcome, e.attempt, e.runId]);
    assert.deepEqual(rows, [
      ['bad', 'error', 1, secondRun],
      ['flaky', 'finished', 2, secondRun],
      ['good', 'finished', 1, secondRun],
    ]);
    const [bad] = res.json.items;
    assert.equal(bad.taskName, 'ledgered');
    assert.equal(bad.agentId, null);
    assert.equal(bad.agentName, null);
    assert.notEqual(firstRun, secondRun);
    assert.ok(!Number.isNaN(Date.parse(bad.at)));
  });

  test('filters by task, job, target and outcome; pages with next', async () => {
    const only = async (query: string) =>
      (await h.expect(200, 'GET', `/api/v1/ledger?${query}`, { token: viewer })).json.items.map(
        (e: { job: string }) => e.job,
      );
    assert.deepEqual(await only(`task=${taskId}&outcome=error`), ['bad']);
    assert.deepEqual(await only('job=flaky&agent=server'), ['flaky']);
    assert.deepEqual(await only('outcome=cancelled'), []);
    const first = await h.expect(200, 'GET', '/api/v1/ledger?limit=2', { token: viewer });
    assert.equal(first.json.items.length, 2);
    const rest = await h.expect(200, 'GET', `/api/v1/ledger?limit=2&after=${first.json.next}`, { token: viewer });
    assert.deepEqual(
      rest.json.items.map((e: { job: string }) => e.job),
      ['good'],
    );
    assert.equal(rest.json.next, null);
    const bad = await h.expect(400, 'GET', '/api/v1/ledger?outcome=running', { token: viewer });
    assert.match(bad.json.error.message, /outcome/);
  });

  test("another org's task or agent is 404, and its entries never show", async () => {
    await h.expect(404, 'GET', `/api/v1/ledger?task=${taskId}`, { token: stranger });
    const theirs = await h.expect(200, 'GET', '/api/v1/ledger', { token: stranger });
    assert.deepEqual(theirs.json.items, []); // their task never ran
    const mine = await h.expect(200, 'GET', '/api/v1/ledger', { token: viewer });
    assert.ok(mine.json.items.every((e: { taskId: string }) => e.taskId === taskId));
    await h.expect(404, 'GET', '/api/v1/ledger?agent=no-such-agent', { token: viewer });
    await h.expect(401, 'GET', '/api/v1/ledger', { token: null });
  });
});
