// Staged rollouts through the HTTP API with agents speaking the protocol: the task's
// rollout as written, waiting targets with their wave, a halt past maxFailures, resume and
// promote (roles, 409 codes; the CLI's `run resume` / `run promote` too), and the
// monitoring line's `rollout`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentServer, echoJob, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';
import { runCli } from '../support/cli.ts';

let s: AgentServer;
let fleet: TestAgent[];
let viewer: string;
let operator: string;

before(async () => {
  s = await startAgentServer();
  fleet = [];
  // Enrolled in reverse: the waves follow the names, not the enrolment.
  for (const name of ['pc-4', 'pc-3', 'pc-2', 'pc-1']) fleet.unshift(await s.enrol({ name, tags: ['fleet'] }));
  viewer = (await s.createUser(s.orgId, 'rollout-viewer', 'viewer')).token;
  operator = (await s.createUser(s.orgId, 'rollout-operator', 'operator')).token;
});
after(() => s.cleanup());

const agent = (name: string) => fleet[Number(name.slice(3)) - 1] as TestAgent;
const getRun = async (id: string) => (await s.expect(200, 'GET', `/api/v1/runs/${id}`)).json;
const jobstates = async (id: string) => (await s.expect(200, 'GET', `/api/v1/runs/${id}/jobstates`)).json.items;
const byAgent = async (id: string) => {
  const names = new Map(fleet.map((a, i) => [a.id, `pc-${i + 1}`]));
  return Object.fromEntries(
    (await jobstates(id)).map((js: { agentId: string; wave: number; status: string; reason: string | null }) => [
      names.get(js.agentId),
      `${js.wave}:${js.status}:${js.reason}`,
    ]),
  );
};

async function runOne(name: string, ok: boolean): Promise<void> {
  const job = await agent(name).takeOne();
  await agent(name).finish(job.jobstate, job.attempt, ok);
}

async function rolloutTask(rollout: Record<string, unknown>): Promise<string> {
  return s.task({ concurrency: 'allow', rollout, jobs: [echoJob('echo', { tags: ['fleet'] })] });
}

describe('rollouts through the API', () => {
  test('a bad rollout is refused naming the field; a good one reads back as written', async () => {
    const bad = await s.call('POST', '/api/v1/tasks', {
      token: s.orgAdmin,
      body: { name: 'bad-rollout', rollout: { waves: ['10', '5'] }, jobs: [echoJob('echo', { tags: ['fleet'] })] },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'invalid_input');
    assert.match(bad.json.error.message, /^rollout\.waves\[1\]: waves are cumulative/);
    const id = await rolloutTask({ waves: ['1', '10%', '100%'], pause: '30m', maxFailures: '20%' });
    const task = (await s.expect(200, 'GET', `/api/v1/tasks/${id}`)).json;
    assert.deepEqual(task.rollout, { waves: ['1', '10%', '100%'], pause: '30m', maxFailures: '20%', order: 'name' });

    // A definition without a rollout removes it (before: the stored one survived, unrecorded).
    const { id: _id, orgId: _org, version: _v, createdAt: _c, updatedAt: _u, rollout: _r, ...def } = task;
    const put = await s.expect(200, 'PUT', `/api/v1/tasks/${id}`, { token: s.orgAdmin, body: def });
    assert.equal(put.json.version, 2);
    assert.equal(put.json.rollout, undefined);
    assert.equal((await s.expect(200, 'GET', `/api/v1/tasks/${id}`)).json.rollout, undefined);
    const history = (await s.expect(200, 'GET', `/api/v1/tasks/${id}/history`)).json.items;
    assert.deepEqual(Object.keys(history.find((h: { action: string }) => h.action === 'update').diff), ['rollout']);
  });

  test('a halt past maxFailures, resumed by an operator wave by wave', async () => {
    const runId = await s.run(await rolloutTask({ waves: ['1', '2'], maxFailures: '0' }));
    let run = await getRun(runId);
    assert.deepEqual([run.rollout.wave, run.rollout.waves, run.rollout.halted], [1, 3, false]);
    assert.deepEqual(await byAgent(runId), {
      'pc-1': '1:prepared:null',
      'pc-2': '2:waiting:rollout_wave',
      'pc-3': '3:waiting:rollout_wave',
      'pc-4': '3:waiting:rollout_wave',
    });
    assert.deepEqual((await agent('pc-2').take()).jobs, [], 'a target of a wave not open gets nothing');

    await runOne('pc-1', false);
    await s.until(async () => (await getRun(runId)).status === 'error', 'the run halts');
    run = await getRun(runId);
    assert.deepEqual(
      [run.statusReason, run.rollout.halted, run.rollout.failed, run.rollout.ended],
      ['rollout_halted', true, 1, 1],
    );
    assert.deepEqual(await byAgent(runId), {
      'pc-1': '1:error:module_failed',
      'pc-2': '2:cancelled:rollout_halted',
      'pc-3': '3:cancelled:rollout_halted',
      'pc-4': '3:cancelled:rollout_halted',
    });

    await s.expect(403, 'POST', `/api/v1/runs/${runId}/resume`, { token: viewer });
    const promoteHalted = await s.expect(409, 'POST', `/api/v1/runs/${runId}/promote`, { token: operator });
    assert.equal(promoteHalted.json.error.code, 'rollout_halted');
    const resumed = await s.expect(200, 'POST', `/api/v1/runs/${runId}/resume`, { token: operator });
    assert.deepEqual(
      [resumed.json.status, resumed.json.rollout.wave, resumed.json.rollout.halted],
      ['running', 2, false],
    );
    await runOne('pc-2', true);
    // 1 failure of 2 ended is still past "0": the third wave halts untouched
    await s.until(async () => (await getRun(runId)).status === 'error', 'the run halts again');
    assert.equal((await byAgent(runId))['pc-3'], '3:cancelled:rollout_halted');

    const cli = await runCli(['run', 'resume', runId, '--server', s.base, '--token', operator]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`^run ${runId} running — completion \\d+ % — wave 3/3 — `));
    await runOne('pc-3', true);
    await runOne('pc-4', true);
    await s.until(async () => (await getRun(runId)).finishedAt !== null, 'the run ends');
    run = await getRun(runId);
    assert.deepEqual([run.status, run.statusReason, run.rollout.wave], ['error', null, 3]);
    const again = await s.expect(409, 'POST', `/api/v1/runs/${runId}/resume`, { token: operator });
    assert.equal(again.json.error.code, 'rollout_not_halted');
  });

  test('promote opens the next wave without waiting for the pause; the monitoring line shows the wave', async () => {
    const taskId = await rolloutTask({ waves: ['1'], pause: '1h' });
    const runId = await s.run(taskId);
    await runOne('pc-1', true);
    await s.until(async () => (await getRun(runId)).rollout.progress[0].ended === 1, 'wave 1 ends');
    assert.deepEqual((await agent('pc-2').take()).jobs, [], 'the pause holds wave 2');
    const summary = async () =>
      (await s.expect(200, 'GET', '/api/v1/summary', { token: viewer })).json.items.find(
        (line: { taskId: string }) => line.taskId === taskId,
      );
    assert.deepEqual((({ wave, waves, halted }) => ({ wave, waves, halted }))((await summary()).rollout), {
      wave: 1,
      waves: 2,
      halted: false,
    });

    const promoted = await s.expect(200, 'POST', `/api/v1/runs/${runId}/promote`, { token: operator });
    assert.equal(promoted.json.rollout.wave, 2);
    assert.equal((await summary()).rollout.wave, 2);
    for (const name of ['pc-2', 'pc-3', 'pc-4']) await runOne(name, true);
    await s.until(async () => (await getRun(runId)).status === 'finished', 'the run finishes');
    const none = await s.expect(409, 'POST', `/api/v1/runs/${runId}/promote`, { token: operator });
    assert.equal(none.json.error.code, 'rollout_no_next_wave');
    const cli = await runCli(['run', 'promote', runId, '--server', s.base, '--token', operator]);
    assert.equal(cli.code, 4, 'a request the state of things refuses is a conflict: exit code 4');
    assert.match(cli.stderr, /no rollout wave left to open/);
  });
});
