// The example third-party module (examples/modules/disk-usage, which imports only
// `taskwarden/sdk`), installed from its folder with TASKWARDEN_MODULES on a server and on a
// real `taskwarden agent` process: the API offers it with its params schema, and a task runs
// its server half on the server and its agent half on the agent, each with its result.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveServerConfig } from '../../src/server/config.ts';
import { type AgentProcess, type FleetServer, runEnded, startFleetServer } from './e2e-support.ts';

const EXAMPLE = resolve(import.meta.dirname, '../../examples/modules/disk-usage');

describe('e2e: a module package on the server and a real agent', () => {
  let server: FleetServer;
  let agent: AgentProcess;

  before(async () => {
    const { modules } = resolveServerConfig({}, { TASKWARDEN_MODULES: EXAMPLE }, process.cwd());
    server = await startFleetServer([], 10, { modules });
    agent = await server.startAgent({ name: 'pc-1', env: { TASKWARDEN_MODULES: EXAMPLE } });
  });
  after(async () => {
    await server.close();
  });

  test('disk-usage is listed with its params schema and runs on both halves', async () => {
    const listed = await server.call('GET', '/api/v1/modules');
    const module = listed.json.items.find((m: { name: string }) => m.name === 'disk-usage');
    assert.equal(module?.runsOn, 'both', JSON.stringify(listed.json));
    assert.deepEqual(Object.keys(module.paramsSchema.properties), ['path', 'maxPercent']);

    const task = await server.client.createTask({
      name: 'disks',
      schedule: { kind: 'manual' },
      jobs: [
        { name: 'on-server', module: 'disk-usage', params: { path: '/' }, targets: { server: true } },
        { name: 'on-agent', module: 'disk-usage', params: { path: agent.dir }, targets: { agents: [agent.agentId] } },
        // The threshold is checked: the agent's disk, holding the agent's files, is over 1 % full.
        {
          name: 'too-full',
          module: 'disk-usage',
          params: { path: agent.dir, maxPercent: 1 },
          targets: { agents: [agent.agentId] },
          startIf: 'always',
        },
      ],
    });
    const run = await runEnded(server.client, (await server.client.runTask(task.id)).id);
    const jobstates = await server.client.runJobstates(run.id);
    const byJob = Object.fromEntries(jobstates.map((js) => [js.job, js]));
    assert.equal(byJob['on-server']?.status, 'finished', JSON.stringify(jobstates, null, 1));
    assert.equal(byJob['on-server']?.agentId, null);
    assert.equal(byJob['on-agent']?.status, 'finished', JSON.stringify(jobstates, null, 1));
    const result = byJob['on-agent']?.result as { path: string; totalBytes: number; usedPercent: number };
    assert.equal(result.path, agent.dir);
    assert.ok(result.totalBytes > 0 && result.usedPercent > 0 && result.usedPercent <= 100, JSON.stringify(result));
    assert.equal(byJob['too-full']?.status, 'error', JSON.stringify(byJob['too-full']));
    const logs = await server.call('GET', `/api/v1/jobstates/${byJob['on-agent']?.id}/logs`);
    assert.match(JSON.stringify(logs.json), /% used, \d+ of \d+ bytes free \(limit 90%\)/);
  });
});
