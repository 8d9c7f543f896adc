// GET /api/v1/agents/:id/diagnostics?task=: whether a task reaches an agent, over HTTP and
// the agent protocol — an agent enrolled after the run started, one without the tag, and
// a task of another org (404, as every other org's record).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentServer, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';

describe('diagnostics: does this task reach this agent?', () => {
  let h: AgentServer;
  let viewer: string;
  let taskId: string;
  let early: TestAgent;

  const reach = async (agent: TestAgent, token = viewer) =>
    (await h.expect(200, 'GET', `/api/v1/agents/${agent.id}/diagnostics?task=${taskId}`, { token })).json.reach;

  before(async () => {
    h = await startAgentServer();
    viewer = (await h.createUser(h.orgId, 'reach-viewer', 'viewer')).token;
    const operator = (await h.createUser(h.orgId, 'reach-op', 'operator')).token;
    early = await h.enrol({ name: 'pc-early', tags: ['lab'] });
    const task = {
      name: 'lab-check',
      schedule: { kind: 'manual' },
      jobs: [{ name: 'check', module: 'inventory', params: {}, targets: { tags: ['lab'] } }],
    };
    taskId = (await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body: task })).json.id;
    await h.expect(201, 'POST', `/api/v1/tasks/${taskId}/runs`, { token: operator });
  });
  after(() => h.cleanup());

  test('an agent the run selected: the job reaches it', async () => {
    const { task, lines } = await reach(early);
    assert.equal(task, 'lab-check');
    assert.deepEqual(
      lines.map((l: { job: string | null; code: string }) => [l.job, l.code]),
      [['check', 'reaches']],
    );
  });

  test('an agent enrolled after the run started is told the next run includes it', async () => {
    const late = await h.enrol({ name: 'pc-late', tags: ['lab'] });
    const { lines } = await reach(late);
    assert.deepEqual(
      lines.map((l: { job: string | null; code: string }) => [l.job, l.code]),
      [
        [null, 'enrolled_after_run'],
        ['check', 'reaches'],
      ],
    );
  });

  test('an agent without the tag is told which tag it lacks', async () => {
    const untagged = await h.enrol({ name: 'pc-other', tags: ['office'] });
    const [line] = (await reach(untagged)).lines;
    assert.deepEqual([line.code, line.message], ['missing_tags', 'targets agents tagged lab; it has office']);
  });

  test('without ?task= nothing is said about reach; a task of another org is 404', async () => {
    const plain = await h.expect(200, 'GET', `/api/v1/agents/${early.id}/diagnostics`, { token: viewer });
    assert.equal(plain.json.reach, undefined);
    const other = await h.createOrg('reach-elsewhere');
    const theirs = await h.createUser(other.id, 'reach-stranger', 'org-admin');
    const foreign = await h.expect(201, 'POST', '/api/v1/tasks', {
      token: theirs.token,
      body: { name: 'theirs', schedule: { kind: 'manual' }, jobs: [{ name: 'n', module: 'noop' }] },
    });
    await h.expect(404, 'GET', `/api/v1/agents/${early.id}/diagnostics?task=${foreign.json.id}`, { token: viewer });
    // The global admin sees both: the task is of another org than the agent.
    const admin = await h.expect(200, 'GET', `/api/v1/agents/${early.id}/diagnostics?task=${foreign.json.id}`);
    assert.deepEqual(
      admin.json.reach.lines.map((l: { code: string }) => l.code),
      ['other_org'],
    );
  });
});
