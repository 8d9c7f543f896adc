// Fault: the server dies by SIGKILL while it hands a job to a real agent process
// (TASKWARDEN_TEST_CRASH_AT), then starts again on the same port and data. The job's
// command (a unique token in its argv) appends a line to a marker file per execution, and
// /proc is listed the whole time for its copies. The job has one retry.
//
// * between the claim and the reply (agent-claimed): the agent never got the job; its first
//   contact after the restart says its last one got no answer (replyLost), the job is
//   missing from its running list and never reported an event, so attempt 1 is offered
//   again and runs once (before issue 14 it ended `agent_lost` and the retry ran).
// * after the reply, before the agent's `started` (agent-reply-sent): the agent runs the job
//   during the outage, spools its events and delivers them once the server is back; attempt
//   1 finishes, nothing is retried.
// The second held before issue 14 too; the tests keep both so.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { killAgents, startAgent } from '../agent/e2e-support.ts';
import { CopyWatch, executions, killCopies } from './process-listing.ts';
import { onlyRunEnded, type ServerProcess, startServerProcess } from './server-process.ts';

const SCRIPT = 'echo "$$" >> "$1"; sleep 1';
const RUN_LIMIT_MS = 90_000;

const dirs: string[] = [];
const servers: ServerProcess[] = [];
const tokens: string[] = [];
after(async () => {
  await killAgents();
  for (const server of servers) server.child.kill('SIGKILL');
  await Promise.all(tokens.map(killCopies));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Scenario {
  crashAt: 'agent-claimed' | 'agent-reply-sent';
  /** Attempt 1's end when the job was retried, else null. */
  firstAttemptFailed: string | null;
  attempts: number;
}

async function crashWhileHandingOut({ crashAt, firstAttemptFailed, attempts }: Scenario): Promise<void> {
  const data = await mkdtemp(join(tmpdir(), 'tw-agent-crash-'));
  dirs.push(data);
  const token = `tw-agent-copy-${newId()}`;
  tokens.push(token);
  const marker = join(data, 'executions');
  const watch = new CopyWatch(token);
  try {
    const first = await startServerProcess(data, { TASKWARDEN_TEST_CRASH_AT: crashAt });
    servers.push(first);
    const port = Number(new URL(first.url).port);
    assert.equal((await first.api('POST', '/api/v1/orgs', { name: 'agents' })).status, 201);
    const command = await first.api('POST', '/api/v1/commands?org=agents', {
      name: 'marked',
      argv: ['sh', '-c', SCRIPT, token, marker],
      runsOn: 'agent',
    });
    assert.equal(command.status, 201, JSON.stringify(command.json));
    const enrol = await first.api('POST', '/api/v1/enrolment-tokens?org=agents', {
      uses: 1,
      expiresIn: '1h',
      tags: ['crash'],
    });
    assert.equal(enrol.status, 201, JSON.stringify(enrol.json));
    const agent = await startAgent({ server: first.url, enrol: enrol.json.token, name: 'crash', tags: ['crash'] });
    dirs.push(agent.dir);
    const task = await first.api('POST', '/api/v1/tasks?org=agents', {
      name: 'hand-out',
      jobs: [
        {
          name: 'marked',
          module: 'command',
          params: { command: 'marked' },
          targets: { tags: ['crash'] },
          retry: { attempts: 1, backoff: '1s' },
        },
      ],
    });
    assert.equal(task.status, 201, JSON.stringify(task.json));
    // The crash may come before the reply: the run is looked up after the restart.
    const asked = first.api('POST', `/api/v1/tasks/${task.json.id}/runs`).catch(() => null);
    assert.equal(await first.exited, 'SIGKILL', `the server kills itself at ${crashAt}:\n${first.output()}`);

    const second = await startServerProcess(data, {}, port);
    servers.push(second);
    await asked;
    const ended = await onlyRunEnded(second, task.json.id, RUN_LIMIT_MS);
    const { most, samples } = await watch.stop();
    assert.ok(samples > 20, `copies listed all along (${samples} listings)`);
    assert.ok(most <= 1, `never two copies at once (${most})`);
    assert.equal(ended.status, 'finished', agent.output());
    const [js] = (await second.api('GET', `/api/v1/runs/${ended.id}/jobstates`)).json.items;
    assert.deepEqual([js.status, js.attempt], ['finished', attempts]);
    const logs = await second.api('GET', `/api/v1/jobstates/${js.id}/logs?limit=1000`);
    const lines: string[] = logs.json.items.map((l: { line: string }) => l.line);
    const failed = lines.filter((line) => /^attempt \d+ failed/.test(line));
    assert.deepEqual(failed, firstAttemptFailed ? [`attempt 1 failed (${firstAttemptFailed}); retrying in 1s`] : []);
    assert.equal(lines.filter((line) => line.startsWith('$ sh -c')).length, 1, `one execution logged:\n${lines}`);
    assert.equal(await executions(marker), 1, 'executions');
  } finally {
    await watch.stop();
  }
}

test(
  'kill -9 between the claim for an agent and the reply: attempt 1 is offered again and runs once',
  {
    timeout: 180_000,
  },
  () => crashWhileHandingOut({ crashAt: 'agent-claimed', firstAttemptFailed: null, attempts: 1 }),
);

test(
  "kill -9 after the reply, before the agent's started: the job runs once, its events arrive after the restart",
  {
    timeout: 180_000,
  },
  () => crashWhileHandingOut({ crashAt: 'agent-reply-sent', firstAttemptFailed: null, attempts: 1 }),
);
