// Three real agents, one real server: a two-job task rolled out in three waves of one
// agent each, with a 1 s pause. Each agent's whole chain ends before the next agent's
// first job starts, at least the pause later (by the jobstates' own times).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, type FleetServer, runEnded, startFleetServer } from './e2e-support.ts';

describe('e2e: a staged rollout over three agents', () => {
  let server: FleetServer;
  const agents: AgentProcess[] = [];

  before(async () => {
    server = await startFleetServer(['lab']);
    for (const name of ['pc-3', 'pc-1', 'pc-2']) agents.push(await server.startAgent({ name }));
    await server.client.addCommand({ name: 'hello', argv: ['echo', 'hello'], runsOn: 'agent' });
  });
  after(async () => {
    await server.close();
  });

  test('waves by name, each after the previous chain ended and the pause', async () => {
    const task = await server.client.createTask({
      name: 'rollout-hello',
      schedule: { kind: 'manual' },
      rollout: { waves: ['1', '2'], pause: '1s', maxFailures: '0' },
      jobs: [
        { name: 'first', module: 'command', params: { command: 'hello' }, targets: { tags: ['lab'] } },
        { name: 'second', module: 'command', params: { command: 'hello' }, targets: { tags: ['lab'] } },
      ],
    });
    const started = await server.client.runTask(task.id);
    const run = await runEnded(server.client, started.id);
    assert.equal(run.status, 'finished');
    assert.deepEqual([run.rollout?.wave, run.rollout?.waves], [3, 3]);
    const jobstates = await server.client.runJobstates(run.id);
    const nameOf = new Map(agents.map((a, i) => [a.agentId, ['pc-3', 'pc-1', 'pc-2'][i]]));
    const chain = (name: string) => {
      const of = jobstates.filter((js) => nameOf.get(js.agentId ?? '') === name);
      assert.equal(of.length, 2);
      return {
        wave: of[0]?.wave,
        start: Math.min(...of.map((js) => Date.parse(js.startedAt as string))),
        end: Math.max(...of.map((js) => Date.parse(js.finishedAt as string))),
      };
    };
    const [pc1, pc2, pc3] = ['pc-1', 'pc-2', 'pc-3'].map(chain) as [
      ReturnType<typeof chain>,
      ReturnType<typeof chain>,
      ReturnType<typeof chain>,
    ];
    assert.deepEqual([pc1.wave, pc2.wave, pc3.wave], [1, 2, 3]);
    assert.ok(pc2.start >= pc1.end + 1000, `pc-2 started ${pc2.start - pc1.end} ms after pc-1 ended`);
    assert.ok(pc3.start >= pc2.end + 1000, `pc-3 started ${pc3.start - pc2.end} ms after pc-2 ended`);
  });
});
