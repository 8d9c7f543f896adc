// Fault: an agent paused (SIGSTOP, as a closed laptop lid or a debugger would) past its
// job's timeout, then resumed (SIGCONT). A real server process, a real agent process; the
// job appends a line to a marker file each time it runs, then exits 0 after 1 s, while the
// agent is stopped. Before: the server ended the job `timeout` by its own wall-clock
// deadline and its retry ran the job a second time on the resumed agent. Now the agent does
// not count the time it was stopped and reports the job as it ended (finished); the server
// waits for that report up to the timeout plus its grace, and a report that comes after it
// gave up still ends the job `finished`, without running the retry. The same holds for a
// catalog command's own timeout (shorter than the job's), which the `command` module
// enforces: before, it slept on the plain clock, so at SIGCONT its overdue timer ended the
// job `timeout` (and the retry ran it again); now it does not count the pause either.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AgentProcess, killAgents, startAgent } from '../agent/e2e-support.ts';
import { type ServerProcess, startServerProcess, until } from './server-process.ts';

/** The job's timeout, and how long past it the server waits for the agent's report. */
const TIMEOUT_S = 2;
const GRACE_S = 10;

describe('an agent paused past its job timeout', () => {
  let data: string;
  let server: ServerProcess;
  let agent: AgentProcess;

  before(async () => {
    data = await mkdtemp(join(tmpdir(), 'tw-paused-'));
    server = await startServerProcess(data, { TASKWARDEN_AGENT_GRACE: `${GRACE_S}s` });
    assert.equal((await server.api('POST', '/api/v1/orgs', { name: 'lab' })).status, 201);
    const command = await server.api('POST', '/api/v1/commands?org=lab', {
      name: 'mark',
      argv: ['sh', '-c', 'echo run >> "runs-$1"; sleep 1', 'mark', '{name}'],
      params: { name: { type: 'string', pattern: '^[a-z]+$' } },
      runsOn: 'agent',
    });
    assert.equal(command.status, 201, JSON.stringify(command.json));
    const short = await server.api('POST', '/api/v1/commands?org=lab', {
      name: 'mark-short',
      argv: ['sh', '-c', 'echo run >> "runs-$1"; sleep 1', 'mark', '{name}'],
      params: { name: { type: 'string', pattern: '^[a-z]+$' } },
      runsOn: 'agent',
      timeout: `${TIMEOUT_S}s`,
    });
    assert.equal(short.status, 201, JSON.stringify(short.json));
    const token = await server.api('POST', '/api/v1/enrolment-tokens?org=lab', { uses: 1, expiresIn: '1h' });
    assert.equal(token.status, 201, JSON.stringify(token.json));
    agent = await startAgent({ server: server.url, enrol: token.json.token, dir: await mkdtemp(join(data, 'agent-')) });
  });
  after(async () => {
    await killAgents();
    server?.child.kill('SIGKILL');
    await server?.exited;
    await rm(data, { recursive: true, force: true });
  });

  /** How many times the job `name` ran on the agent so far. */
  const runsOf = async (name: string) =>
    (await readFile(join(agent.dir, `runs-${name}`), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

  /** Runs a one-job task (timeout TIMEOUT_S, one retry) and resolves once its job began on the agent. */
  async function started(
    name: string,
    { command = 'mark', timeoutS = TIMEOUT_S } = {},
  ): Promise<{ runId: string; jobstateId: string }> {
    const task = await server.api('POST', '/api/v1/tasks?org=lab', {
      name,
      jobs: [
        {
          name: 'mark',
          module: 'command',
          params: { command, args: { name } },
          targets: { all: true },
          timeout: `${timeoutS}s`,
          retry: { attempts: 1, backoff: '1s' },
        },
      ],
    });
    assert.equal(task.status, 201, JSON.stringify(task.json));
    const run = await server.api('POST', `/api/v1/tasks/${task.json.id}/runs`);
    assert.equal(run.status, 201, JSON.stringify(run.json));
    await until(`job ${name} to begin on the agent`, async () => (await runsOf(name)) > 0, 30_000);
    const [js] = (await server.api('GET', `/api/v1/runs/${run.json.id}/jobstates`)).json.items;
    return { runId: run.json.id, jobstateId: js.id };
  }

  const jobstate = async (runId: string) => (await server.api('GET', `/api/v1/runs/${runId}/jobstates`)).json.items[0];

  async function ended(runId: string) {
    const run = await until(
      `run ${runId} to end`,
      async () => {
        const { json } = await server.api('GET', `/api/v1/runs/${runId}`);
        return ['finished', 'error', 'cancelled'].includes(json.status) ? json : null;
      },
      30_000,
    );
    return { run, js: await jobstate(runId) };
  }

  test('stopped past the timeout, within the grace: the job that exited 0 ends finished, run once', async () => {
    const { runId } = await started('within');
    agent.child.kill('SIGSTOP');
    await sleep((TIMEOUT_S + 4) * 1000); // the pause: the job exits 0 meanwhile
    const waiting = await jobstate(runId);
    assert.deepEqual([waiting.status, waiting.attempt], ['running', 1], 'the server still waits for the agent');
    agent.child.kill('SIGCONT');
    const { run, js } = await ended(runId);
    assert.deepEqual([run.status, js.status, js.attempt], ['finished', 'finished', 1], JSON.stringify(js));
    assert.equal(await runsOf('within'), 1, 'the job ran once');
    assert.match(agent.output(), /the agent did not run for \d+ ms/);
  });

  test('stopped until the server gave up: its late report ends the job finished, the retry never runs', async () => {
    const { runId, jobstateId } = await started('late');
    agent.child.kill('SIGSTOP');
    await until(
      'the server to give up on attempt 1',
      async () => (await jobstate(runId)).attempt === 2,
      (TIMEOUT_S + GRACE_S + 30) * 1000,
    );
    agent.child.kill('SIGCONT');
    const { run, js } = await ended(runId);
    assert.deepEqual([run.status, js.status, js.attempt], ['finished', 'finished', 1], JSON.stringify(js));
    assert.equal(await runsOf('late'), 1, 'the job ran once');
    const logs = (await server.api('GET', `/api/v1/jobstates/${jobstateId}/logs`)).json.items.map(
      (l: { line: string }) => l.line,
    );
    assert.ok(
      logs.includes('late report: attempt 1 finished after the server had given up on it; attempt 2 is not run'),
      logs.join('\n'),
    );
  });

  test("stopped past the catalog command's own timeout: the command that exited 0 ends finished, run once", async () => {
    const { runId } = await started('catalog', { command: 'mark-short', timeoutS: 120 });
    agent.child.kill('SIGSTOP');
    await sleep((TIMEOUT_S + 4) * 1000); // the pause: the command exits 0 meanwhile
    agent.child.kill('SIGCONT');
    // Before: attempt 1 ended `timeout` (its exit code 0 in the result) and attempt 2 was prepared.
    const js = await until(
      'attempt 1 to end',
      async () => {
        const now = await jobstate(runId);
        return (now.attempt > 1 || ['finished', 'error', 'cancelled'].includes(now.status)) && now;
      },
      30_000,
    );
    assert.deepEqual([js.status, js.reason, js.attempt], ['finished', null, 1], JSON.stringify(js));
    assert.equal((await ended(runId)).run.status, 'finished');
    assert.equal(await runsOf('catalog'), 1, 'the job ran once');
  });
});
