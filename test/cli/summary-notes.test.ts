// `taskwarden summary` tells what monitoring tells: the line is about the run in progress,
// a skipped firing and a job waiting on a dead agent are notes in words, and a cancelled
// run reads cancelled, not 100 %.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type AgentServer, echoJob, startAgentServer } from '../support/agent-protocol.ts';
import { runCli } from '../support/cli.ts';

let s: AgentServer;
const summary = async () => {
  const res = await runCli(['summary', '--server', s.base, '--token', s.orgAdmin], { env: { TZ: 'UTC' } });
  assert.equal(res.code, 0, res.stderr);
  return res.stdout;
};

before(async () => {
  s = await startAgentServer();
});
after(() => s.cleanup());

test('summary: the run in progress, the skipped firing and the dead agent in words, then cancelled', async () => {
  const agent = await s.enrol();
  assert.equal((await agent.contact()).status, 200);
  const taskId = await s.task({ name: 'nightly', jobs: [echoJob('say', { agents: [agent.id] })] });
  const running = await s.run(taskId);
  const skipped = (await s.expect(200, 'POST', `/api/v1/tasks/${taskId}/runs`, { token: s.orgAdmin })).json;
  await s.store.agents.update(agent.id, { lastContactAt: Date.now() - 10 * 60_000 });

  const lines = (await summary()).split('\n');
  const at = lines.findIndex((l) => l.includes(' nightly — '));
  assert.match(lines[at] ?? '', / — completion 0 % — running$/);
  assert.equal(lines[at + 1], `    skipped ${skipped.fireAt.slice(11, 16)}: previous run still running`);
  assert.equal(lines[at + 2], '    prepared: its agent is overdue: no contact within its contact period');

  await s.expect(200, 'POST', `/api/v1/runs/${running}/cancel`, { token: s.orgAdmin });
  const after = (await summary()).split('\n').find((l) => l.includes(' nightly — '));
  assert.match(after ?? '', / — completion cancelled — cancelled$/);
});
