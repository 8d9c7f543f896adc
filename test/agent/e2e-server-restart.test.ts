// The server stops and starts again (same port, same database) while agents run a job that
// prints a line every 100 ms for 6 s: the agents reconnect, the lines printed during the outage
// (spooled on the agent) arrive after it, and every line is stored exactly once, in order.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, allLogs, type FleetServer, runEnded, startFleetServer, stdoutOf } from './e2e-support.ts';
import { waitFor } from './protocol-stub.ts';

const LINES = 60;

describe('e2e: the server restarts under running agents', () => {
  let server: FleetServer;
  const agents: AgentProcess[] = [];

  before(async () => {
    server = await startFleetServer(['counting']);
    agents.push(await server.startAgent({ name: 'counter-1' }));
    agents.push(await server.startAgent({ name: 'counter-2' }));
    await server.client.addCommand({
      name: 'count',
      argv: ['sh', '-c', `i=1; while [ $i -le ${LINES} ]; do echo line $i; i=$((i+1)); sleep 0.1; done`],
      runsOn: 'agent',
    });
  });
  after(async () => {
    await server.close();
  });

  test('lines printed while the server was down arrive once it is back, each exactly once', async () => {
    const task = await server.client.createTask({
      name: 'count',
      schedule: { kind: 'manual' },
      jobs: [{ name: 'count', module: 'command', params: { command: 'count' }, targets: { tags: ['counting'] } }],
    });
    const run = await server.client.runTask(task.id);
    await waitFor(
      async () => {
        const jobstates = await server.client.runJobstates(run.id);
        const counts = await Promise.all(
          jobstates.map(async (js) => stdoutOf(await allLogs(server.client, js.id)).length),
        );
        return counts.length === 2 && counts.every((n) => n > 0);
      },
      'both jobs to print',
      30_000,
    );

    await server.restart(2000);
    const before = agents.map((a) => a.output().length);
    const ended = await runEnded(server.client, run.id, 60_000);
    assert.equal(ended.status, 'finished');
    const expected = Array.from({ length: LINES }, (_, i) => `line ${i + 1}`);
    for (const js of await server.client.runJobstates(run.id)) {
      assert.deepEqual([js.status, js.attempt], ['finished', 1]);
      assert.deepEqual(stdoutOf(await allLogs(server.client, js.id)), expected, `lines of ${js.agentId}`);
    }
    // The agents did see the outage (and got over it), they were not just lucky.
    for (const [i, agent] of agents.entries()) {
      assert.match(agent.output().slice(0, before[i]), /contact failed/);
      await waitFor(() => agent.output().includes('server reachable again'), 'the agent to contact again', 60_000);
    }
  });
});
