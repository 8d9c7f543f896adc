// Agents that die or stop, as real processes: SIGKILLed mid-job and started again → the job
// is lost (agent_lost) and retried per policy on the same agent; SIGKILLed and never back →
// the server times the job out; SIGTERM → the running job ends `interrupted`, reported
// before exit 0. No jobstate is left stuck.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { JobstateView } from '../../src/protocol/jobstates.ts';
import { allLogs, type FleetServer, runEnded, startFleetServer } from './e2e-support.ts';
import { waitFor } from './protocol-stub.ts';

describe('e2e: agents that die or stop', () => {
  let server: FleetServer;

  before(async () => {
    // A short grace: the agent that never comes back is given up on soon after its job's timeout.
    server = await startFleetServer([], 20, { agentGraceMs: 2_000 });
    // First run: says so, leaves a mark and takes a while; any later run: finishes at once.
    await server.client.addCommand({
      name: 'once-slow',
      argv: ['sh', '-c', 'if [ -f ran-once ]; then echo second run; else touch ran-once; echo first run; sleep 8; fi'],
      runsOn: 'agent',
    });
    await server.client.addCommand({ name: 'slow', argv: ['sleep', '8'], runsOn: 'agent' });
  });
  after(async () => {
    await server.close();
  });

  const agent = (name: string) => server.startAgent({ name, tags: [name] });

  /** Starts a one-job task on the agent tagged `tag`; resolves once the job runs there, with its first output. */
  async function runningJob(tag: string, job: Record<string, unknown>) {
    const task = await server.client.createTask({
      name: `task-${tag}`,
      schedule: { kind: 'manual' },
      jobs: [{ name: 'work', module: 'command', targets: { tags: [tag] }, ...job }],
    });
    const run = await server.client.runTask(task.id);
    let js: JobstateView | undefined;
    await waitFor(
      async () => {
        [js] = await server.client.runJobstates(run.id);
        return js?.status === 'running' && (await allLogs(server.client, js.id)).length > 0;
      },
      `the job on ${tag} to run`,
      30_000,
    );
    return { runId: run.id, jobstateId: js!.id };
  }

  test('SIGKILL mid-job, then the agent comes back: the job is lost and retried there, once', async () => {
    const killed = await agent('phoenix');
    const { runId, jobstateId } = await runningJob('phoenix', {
      params: { command: 'once-slow' },
      retry: { attempts: 1, backoff: '1s' },
    });
    killed.child.kill('SIGKILL');
    await killed.exited;
    const back = await killed.restart();
    assert.equal(back.agentId, killed.agentId, 'same credential, no new enrolment');
    const run = await runEnded(server.client, runId);
    assert.equal(run.status, 'finished');
    const [js] = await server.client.runJobstates(runId);
    assert.deepEqual([js?.id, js?.status, js?.attempt], [jobstateId, 'finished', 2]);
    const logs = await allLogs(server.client, jobstateId);
    const stdout = (attempt: number) =>
      logs.filter((l) => l.attempt === attempt && l.stream === 'stdout').map((l) => l.line);
    assert.deepEqual([stdout(1), stdout(2)], [['first run'], ['second run']]);
  });

  test('SIGKILL mid-job and never back: the server times the job out', async () => {
    const killed = await agent('gone');
    const { runId } = await runningJob('gone', { params: { command: 'slow' }, timeout: '3s' });
    killed.child.kill('SIGKILL');
    const run = await runEnded(server.client, runId, 30_000);
    const [js] = await server.client.runJobstates(runId);
    assert.deepEqual([run.status, js?.status, js?.reason], ['error', 'error', 'timeout']);
  });

  test('SIGTERM: the running job ends `interrupted`, reported before the agent exits 0 with an empty spool', async () => {
    const stopped = await agent('polite');
    const { runId, jobstateId } = await runningJob('polite', { params: { command: 'slow' } });
    stopped.child.kill('SIGTERM');
    assert.equal(await stopped.exited, 0, stopped.output());
    const [js] = await server.client.runJobstates(runId);
    assert.deepEqual([js?.status, js?.reason], ['error', 'interrupted']);
    const logs = await allLogs(server.client, jobstateId);
    assert.ok(logs.some((l) => l.line === 'stopped: the agent is shutting down'));
    assert.deepEqual(await readdir(join(stopped.dir, 'spool')), []);
  });
});
