// Late joiners with real agents (issue 15, part 3): a run whose job takes late joiners
// (`targets.lateJoin`) is started with one agent; an agent enrolled afterwards gets its
// job and finishes it, and so does an agent given the tag afterwards; the run stays open
// for its window and counts them (`joined`). The window's close is the engine test's
// (test/engine/late-join.test.ts, fake clock).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, type FleetServer, startFleetServer } from './e2e-support.ts';
import { waitFor } from './protocol-stub.ts';

describe('e2e: late joiners', () => {
  let server: FleetServer;
  let early: AgentProcess;

  before(async () => {
    server = await startFleetServer(['accounting']);
    early = await server.startAgent({ name: 'early', longPoll: 5 });
    await server.client.addCommand({ name: 'hello', argv: ['echo', 'hello'], runsOn: 'agent' });
  });
  after(() => server.close());

  async function finishedOn(runId: string, agentId: string) {
    await waitFor(
      async () => {
        const jobstates = await server.client.runJobstates(runId);
        return jobstates.some((js) => js.agentId === agentId && js.status === 'finished');
      },
      `the job of ${agentId} to finish`,
      60_000,
    );
  }

  test('an agent enrolled after the run started, and one tagged after, get the job and finish it', async () => {
    const task = await server.client.createTask({
      name: 'late-hello',
      schedule: { kind: 'manual' },
      jobs: [
        {
          name: 'hello',
          module: 'command',
          params: { command: 'hello' },
          targets: { tags: ['accounting'], lateJoin: '1h' },
        },
      ],
    });
    const run = await server.client.runTask(task.id);
    await finishedOn(run.id, early.agentId);

    const late = await server.startAgent({ name: 'late', longPoll: 5 });
    await finishedOn(run.id, late.agentId);

    // Enrolled without the tag (a token of its own), then given it by an admin.
    const untagged = await server.enrolmentToken([], 1);
    const { startAgent } = await import('./e2e-support.ts');
    const other = await startAgent({ server: server.url, enrol: untagged, name: 'tagged-later', longPoll: 5 });
    try {
      const tagged = await server.call('PATCH', `/api/v1/agents/${other.agentId}`, { tags: ['accounting'] });
      assert.equal(tagged.status, 200, JSON.stringify(tagged.json));
      await finishedOn(run.id, other.agentId);
    } finally {
      other.child.kill('SIGKILL');
    }

    const view = await server.client.getRun(run.id);
    assert.equal(view.status, 'running', 'the run waits for its window to pass');
    assert.equal(view.joined, 2);
    assert.ok(view.joinUntil, 'the view says until when agents join');
    const jobstates = await server.client.runJobstates(run.id);
    assert.equal(jobstates.length, 3, 'one jobstate per agent, none twice');
  });
});
