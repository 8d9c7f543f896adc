// Monitoring that never misleads, over the API: the line is about the run in progress (a
// firing its overlap policy skipped is a note), a job waiting on a dead agent says so in
// words, a delayed job carries dueAt, and a cancelled run is not 100 % complete.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentServer, echoJob, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';

describe('monitoring line', () => {
  let s: AgentServer;
  let agent: TestAgent;
  let taskId: string;
  let running: string;
  let skipped: string;

  const line = async () => (await s.expect(200, 'GET', `/api/v1/summary/${taskId}`, { token: s.orgAdmin })).json;
  const jobstates = async (runId: string) =>
    (await s.expect(200, 'GET', `/api/v1/runs/${runId}/jobstates`, { token: s.orgAdmin })).json.items;
  const quietFor = async (ms: number) => {
    await s.store.agents.update(agent.id, { lastContactAt: Date.now() - ms });
  };

  before(async () => {
    s = await startAgentServer();
    agent = await s.enrol();
    assert.equal((await agent.contact()).status, 200);
    // forbid (the default): a second firing while the first runs is skipped
    taskId = await s.task({ jobs: [echoJob('say', { agents: [agent.id] })] });
    running = await s.run(taskId);
    // ended at once: 200, not 201
    skipped = (await s.expect(200, 'POST', `/api/v1/tasks/${taskId}/runs`, { token: s.orgAdmin })).json.id;
  });
  after(() => s.cleanup());

  test('a skipped firing is a note on the line; the line stays on the run in progress', async () => {
    const run = (await s.expect(200, 'GET', `/api/v1/runs/${skipped}`, { token: s.orgAdmin })).json;
    assert.equal(run.status, 'skipped');
    assert.equal(run.statusReasonText, 'previous run still running');
    assert.equal(run.completion, null, 'a skipped run did no work: no percent');
    const l = await line();
    assert.equal(l.lastRun.id, running);
    assert.equal(l.status, 'running');
    assert.deepEqual(l.skipped, {
      runId: skipped,
      fireAt: run.fireAt,
      reason: 'overlap',
      reasonText: 'previous run still running',
    });
    // the agent called a moment ago: prepared, waiting for its next call, nothing to blame
    assert.equal(l.waiting.status, 'prepared');
    assert.equal(l.waiting.reason, 'agent_next_contact');
    assert.equal(l.waiting.reasonText, 'ready: its agent takes it at its next contact');
    const list = (await s.expect(200, 'GET', '/api/v1/summary', { token: s.orgAdmin })).json.items;
    assert.deepEqual(
      list.find((x: { taskId: string }) => x.taskId === taskId),
      l,
    );
  });

  test('presence: online within one contact period, offline (overdue) soon after', async () => {
    const presence = async () =>
      (await s.expect(200, 'GET', `/api/v1/agents/${agent.id}`, { token: s.orgAdmin })).json.presence;
    await quietFor(60_000);
    assert.equal(await presence(), 'online');
    assert.equal((await line()).waiting.reason, 'agent_next_contact');
    // was online until 3 min (two periods plus a long poll); one period (60 s) + margin now
    await quietFor(100_000);
    assert.equal(await presence(), 'offline');
  });

  test('a job prepared for a dead agent says its agent is overdue, on the line and the run', async () => {
    await quietFor(10 * 60_000);
    const l = await line();
    assert.equal(l.waiting.status, 'prepared');
    assert.equal(l.waiting.reason, 'agent_overdue');
    assert.match(l.waiting.reasonText, /agent is overdue/);
    const [js] = await jobstates(running);
    assert.equal(js.status, 'prepared');
    assert.equal(js.reason, null, 'the stored reason is unchanged');
    assert.match(js.reasonText, /agent is overdue/);
    assert.match(js.preparedAt, /Z$/);
    assert.equal(js.dueAt, null, 'dueAt is for waiting jobstates');
    const one = (await s.expect(200, 'GET', `/api/v1/jobstates/${js.id}`, { token: s.orgAdmin })).json;
    assert.deepEqual(one, js);
  });

  test('a cancelled run shows as cancelled, not complete', async () => {
    const run = (await s.expect(200, 'POST', `/api/v1/runs/${running}/cancel`, { token: s.orgAdmin })).json;
    assert.equal(run.status, 'cancelled');
    assert.equal(run.completion, 0, 'nothing of it ran');
    assert.equal(run.statusReasonText, 'cancelled by a user');
    const l = await line();
    assert.equal(l.status, 'cancelled');
    assert.equal(l.completion, 0);
    assert.equal(l.waiting, null);
    assert.equal(l.skipped.runId, skipped, 'the skipped firing came after it: still a note');
  });

  test('a delayed job carries dueAt and says delay, on the line and the run', async () => {
    const delayed = await s.task({ jobs: [echoJob('later', { agents: [agent.id] }, { delay: '1h' })] });
    const runId = await s.run(delayed);
    const [js] = await jobstates(runId);
    assert.equal(js.status, 'waiting');
    assert.equal(js.reason, 'delay');
    assert.equal(js.reasonText, 'delay');
    const due = Date.parse(js.dueAt) - Date.now();
    assert.ok(due > 50 * 60_000 && due <= 3_600_000, js.dueAt);
    const l = (await s.expect(200, 'GET', `/api/v1/summary/${delayed}`, { token: s.orgAdmin })).json;
    assert.deepEqual(l.waiting, { status: 'waiting', reason: 'delay', reasonText: 'delay', dueAt: js.dueAt, count: 1 });
    assert.equal(l.skipped, null);
  });
});
