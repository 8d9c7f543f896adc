// Each agent against another agent (issue 12, attack suite): another agent's jobstates
// (events, claims, reconciliation), package files no job of its own references, and
// credentials that must no longer work: a disabled agent's, a deleted agent's, and the
// secret replaced by a re-enrolment.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type AgentServer, echoJob, post, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';

const archive = (seed: number) => Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * seed) % 251));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('attack: an agent against other agents and their files', () => {
  let s: AgentServer;
  let a: TestAgent;
  let b: TestAgent;
  const deployed = archive(3);
  const unrelated = archive(7);
  const foreign = archive(11);

  const upload = async (bytes: Buffer, token: string) => {
    const reply = await fetch(`${s.base}/api/v1/packages/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    assert.ok(reply.ok, await reply.text());
  };
  const download = (agent: TestAgent, bytes: Buffer, credential = agent.credential) =>
    fetch(`${s.base}/agent/v1/files/${sha256(bytes)}`, { headers: { authorization: `Bearer ${credential}` } }).then(
      async (reply) => {
        await reply.body?.cancel();
        return reply.status;
      },
    );
  const ts = Date.now();
  const preparedFor = (agent: TestAgent) =>
    s.until(
      async () => (await s.store.jobstates.listForAgent(agent.id, { statuses: ['prepared'] }, 10)).length === 1,
      `a job prepared for ${agent.id}`,
    );

  before(async () => {
    s = await startAgentServer();
    const modules = ['command', 'deploy'];
    [a, b] = [await s.enrol({ modules }), await s.enrol({ modules })];
    await upload(deployed, s.orgAdmin);
    await upload(unrelated, s.orgAdmin);
    const steps = [{ type: 'command', command: 'agent-echo', args: { msg: 'hi' } }];
    for (const [name, bytes] of [
      ['tool', deployed],
      ['other', unrelated],
    ] as const) {
      await s.expect(201, 'POST', '/api/v1/packages', {
        token: s.orgAdmin,
        body: { name, version: '1', archive: sha256(bytes), steps },
      });
    }
    const other = await s.createOrg('foreign-org');
    const { token: foreignAdmin } = await s.createUser(other.id, 'foreign-admin', 'org-admin');
    await upload(foreign, foreignAdmin);
  });
  after(() => s.cleanup());

  test("an agent downloads only the files of its own running deploy jobs, never the org's others", async () => {
    const taskId = await s.task({
      jobs: [{ name: 'install', module: 'deploy', params: { package: 'tool' }, targets: { agents: [a.id] } }],
    });
    await s.run(taskId);
    await preparedFor(a);
    assert.equal(await download(a, deployed), 404, 'not before the job is its own and running');
    const job = await a.takeOne();
    assert.equal(await download(a, deployed), 200);
    assert.equal(await download(b, deployed), 404, "another agent's job's file");
    assert.equal(await download(a, unrelated), 404, 'a file of the org no job of the agent references');
    assert.equal(await download(a, foreign), 404, "another org's file");
    await a.finish(job.jobstate, job.attempt, true);
    assert.equal(await download(a, deployed), 404, 'the job is over');
  });

  test("an agent can neither report on nor claim nor stop another agent's jobstate", async () => {
    const runId = await s.run(await s.task({ jobs: [echoJob('say', { agents: [b.id] })] }));
    const [prepared] = await s.store.jobstates.allOfRun(runId);
    assert.ok(prepared);
    await s.until(async () => (await s.store.jobstates.get(prepared.id))?.status === 'prepared', 'prepared');
    const claimed = (await a.take()).jobs.map((j) => j.jobstate);
    assert.equal(claimed.includes(prepared.id), false, "a's contact claims nothing of b's");
    const job = await b.takeOne();
    const forged = await a.events(job.jobstate, job.attempt, [{ seq: 1, ts, type: 'finished', result: { ok: 1 } }]);
    assert.equal(forged.status, 404);
    const { stop } = await a.take({ running: [job.jobstate], capacity: 0 });
    assert.deepEqual(stop, [job.jobstate], 'a is told to stop what is not its own');
    const js = await s.store.jobstates.get(job.jobstate);
    assert.deepEqual([js?.status, js?.eventSeq, js?.agentId], ['running', 0, b.id]);
    await b.finish(job.jobstate, job.attempt, true);
  });

  test("a disabled agent's secret is refused on every agent route", async () => {
    const taskId = await s.task({
      jobs: [{ name: 'install', module: 'deploy', params: { package: 'tool' }, targets: { agents: [a.id] } }],
    });
    await s.run(taskId);
    await preparedFor(a);
    const job = await a.takeOne();
    await s.expect(200, 'PATCH', `/api/v1/agents/${a.id}`, { token: s.orgAdmin, body: { enabled: false } });
    assert.equal((await a.contact()).status, 403);
    assert.equal(await download(a, deployed), 403);
    const events = await a.events(job.jobstate, job.attempt, [{ seq: a.seq + 1, ts, type: 'finished', result: {} }]);
    assert.equal(events.status, 403, 'a disabled agent reports nothing');
    assert.equal((await s.store.jobstates.get(job.jobstate))?.status, 'running');
    await s.expect(200, 'PATCH', `/api/v1/agents/${a.id}`, { token: s.orgAdmin, body: { enabled: true } });
    await a.finish(job.jobstate, job.attempt, true);
  });

  test('a replaced secret (re-enrolment) and a deleted agent are nobody', async () => {
    const old = a.credential;
    await s.expect(200, 'POST', `/api/v1/agents/${a.id}/allow-reenrol`, { token: s.orgAdmin, body: {} });
    const token = await s.expect(201, 'POST', '/api/v1/enrolment-tokens', {
      token: s.orgAdmin,
      body: { uses: 1, expiresIn: '1h' },
    });
    const { deviceId } = (await s.store.agents.get(a.id)) ?? { deviceId: '' };
    const again = await post(s.base, '/agent/v1/enrol', { token: token.json.token, deviceId });
    assert.equal(again.status, 200, JSON.stringify(again.json));
    assert.equal((await a.contact({}, old)).status, 401);
    assert.equal(await download(a, deployed, old), 401);
    assert.equal((await post(s.base, '/agent/v1/jobstates/x/events', { attempt: 1, events: [] }, old)).status, 401);

    await s.expect(204, 'DELETE', `/api/v1/agents/${b.id}`, { token: s.orgAdmin });
    assert.equal((await b.contact()).status, 401);
    assert.equal(await download(b, deployed), 401);
  });
});
