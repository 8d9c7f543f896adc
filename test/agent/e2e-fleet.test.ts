// Three real agents, one real server: a two-job `command` task (the second job delayed,
// `startIf: success`) where one agent's first job fails, so its second job is skipped and
// only its; statuses, logs and the delay checked through the REST API; then `agent list`
// and `agent why` through the real CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, cliEnv } from '../support/cli.ts';
import { type AgentProcess, allLogs, type FleetServer, runEnded, startFleetServer, stdoutOf } from './e2e-support.ts';

describe('e2e: a fleet of three agents', () => {
  let server: FleetServer;
  const agents: AgentProcess[] = [];

  before(async () => {
    server = await startFleetServer(['lab']);
    for (const name of ['pc-1', 'pc-2', 'pc-3']) {
      agents.push(await server.startAgent({ name, tags: name === 'pc-3' ? [] : ['good'] }));
    }
    // The marker exists in two agents' folders (their working directories) only.
    await writeFile(join(agents[0]!.dir, 'marker'), '');
    await writeFile(join(agents[1]!.dir, 'marker'), '');
    await server.client.addCommand({ name: 'has-marker', argv: ['test', '-f', 'marker'], runsOn: 'agent' });
    await server.client.addCommand({
      name: 'say',
      argv: ['echo', '{msg}'],
      params: { msg: { type: 'string', pattern: '^[a-z ]{1,20}$' } },
      runsOn: 'agent',
    });
  });
  after(async () => {
    await server.close();
  });

  test('the failing agent skips its second job; the others run it after the delay', async () => {
    const task = await server.client.createTask({
      name: 'marker-then-report',
      schedule: { kind: 'manual' },
      jobs: [
        { name: 'check', module: 'command', params: { command: 'has-marker' }, targets: { tags: ['lab'] } },
        {
          name: 'report',
          module: 'command',
          params: { command: 'say', args: { msg: 'all good' } },
          targets: { tags: ['lab'] },
          startIf: 'success',
          delay: '2s',
        },
      ],
    });
    const started = await server.client.runTask(task.id);
    const run = await runEnded(server.client, started.id);
    assert.equal(run.status, 'error', 'one jobstate errored');
    const jobstates = await server.client.runJobstates(run.id);
    const byAgent = (job: string, agent: AgentProcess) => {
      const js = jobstates.find((j) => j.job === job && j.agentId === agent.agentId);
      assert.ok(js, `${job} on ${agent.agentId}`);
      return js;
    };
    const [pc1, pc2, pc3] = agents as [AgentProcess, AgentProcess, AgentProcess];
    assert.equal(jobstates.length, 6);
    for (const agent of [pc1, pc2]) {
      assert.deepEqual([byAgent('check', agent).status, byAgent('report', agent).status], ['finished', 'finished']);
    }
    assert.deepEqual(
      [byAgent('check', pc3).status, byAgent('check', pc3).reason],
      ['error', 'module_failed'],
      'no marker on pc-3',
    );
    assert.deepEqual([byAgent('report', pc3).status, byAgent('report', pc3).reason], ['skipped', 'start_if_unmet']);

    // A job's delay counts from the start of the run (the seed's t+0, t+2h).
    const report = byAgent('report', pc1);
    assert.ok(
      Date.parse(report.startedAt!) - Date.parse(run.startedAt!) >= 2000,
      `report started ${report.startedAt}, 2 s after the run ${run.startedAt}`,
    );
    const reportLogs = await allLogs(server.client, report.id);
    assert.deepEqual(stdoutOf(reportLogs), ['all good'], 'the line, exactly once');
    assert.ok(reportLogs.some((l) => l.stream === 'info' && l.line === '$ echo "all good"'));
    const failedLogs = await allLogs(server.client, byAgent('check', pc3).id);
    assert.ok(
      failedLogs.some((l) => l.line === 'exited with code 1'),
      JSON.stringify(failedLogs),
    );
  });

  test('`agent list` and `agent why` through the CLI', async () => {
    // Asynchronously: the server answering it runs in this process.
    const cli = (...args: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        const argv = [BIN, 'agent', ...args, '--server', server.url, '--token', server.token];
        execFile(process.execPath, argv, { env: cliEnv() }, (err, stdout, stderr) =>
          resolve({ status: err ? Number(err.code) : 0, stdout, stderr }),
        );
      });
    const list = await cli('list', '--json');
    assert.equal(list.status, 0, list.stderr);
    const items = JSON.parse(list.stdout).items as {
      id: string;
      name: string;
      tags: string[];
      requestedTags: string[];
      presence: string;
    }[];
    assert.deepEqual(items.map((a) => a.name).sort(), ['pc-1', 'pc-2', 'pc-3']);
    const pc3 = items.find((a) => a.name === 'pc-3');
    assert.deepEqual(pc3?.tags, ['lab'], "the enrolment token's tag");
    assert.equal(pc3?.presence, 'online');
    assert.deepEqual(items.find((a) => a.name === 'pc-1')?.tags.sort(), ['good', 'lab']);
    assert.deepEqual(items.find((a) => a.name === 'pc-1')?.requestedTags, ['good'], 'its --tags, asked for');

    const why = await cli('why', agents[0]!.agentId);
    assert.equal(why.status, 0, why.stderr);
    assert.match(why.stdout, /^agent pc-1 \(\S+\) online — last contact /);
    assert.match(why.stdout, /no open jobstates/);
    const missing = await cli('why', '01900000-0000-7000-8000-000000000000');
    assert.equal(missing.status, 3, 'not_found exits 3');
  });
});
