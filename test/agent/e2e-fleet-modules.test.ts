// A real server and a real `taskwarden agent` process running the fleet modules through the
// REST API and the agent protocol: an inventory, a deploy of an uploaded tar package
// (downloaded by the agent over the files endpoint, hash checked, then extracted) and a
// network discovery of 127.0.0.1; run twice, the deploy is then `unneeded`.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, addAppPackage, type FleetServer, runEnded, startFleetServer } from './e2e-support.ts';

describe('e2e: fleet modules on a real agent', () => {
  let server: FleetServer;
  let agent: AgentProcess;
  let serverPort: number;

  before(async () => {
    server = await startFleetServer(['lab']);
    serverPort = Number(new URL(server.url).port);
    agent = await server.startAgent({ name: 'pc-1' });
    await addAppPackage(server, join(agent.dir, 'opt'), { text: 'yes', pattern: '^[a-z ]+$' });
  });
  after(async () => {
    await server.close();
  });

  test('inventory, deploy and discovery run on the agent; a second deploy is unneeded', async () => {
    const targets = { agents: [agent.agentId] };
    const task = await server.client.createTask({
      name: 'fleet',
      schedule: { kind: 'manual' },
      jobs: [
        { name: 'inventory', module: 'inventory', targets },
        { name: 'app', module: 'deploy', params: { package: 'app' }, targets },
        {
          name: 'discover',
          module: 'netdiscovery',
          params: { ranges: ['127.0.0.1'], ports: [serverPort], timeout: '2s' },
          targets,
        },
      ],
    });
    const outcomes: Record<string, unknown>[] = [];
    for (let i = 0; i < 2; i++) {
      const run = await runEnded(server.client, (await server.client.runTask(task.id)).id);
      const jobstates = await server.client.runJobstates(run.id);
      assert.equal(run.status, 'finished', JSON.stringify(jobstates, null, 1));
      outcomes.push(Object.fromEntries(jobstates.map((js) => [js.job, js.result])));
    }
    const [first, second] = outcomes as [
      Record<string, Record<string, unknown>>,
      Record<string, Record<string, unknown>>,
    ];
    assert.equal(first['app']?.['outcome'], 'ok');
    assert.equal(second['app']?.['outcome'], 'unneeded');
    assert.equal(await readFile(join(agent.dir, 'opt/installed'), 'utf8'), 'yes\n');
    assert.equal((await stat(join(agent.dir, 'opt/app/run.sh'))).mode & 0o777, 0o755);

    assert.deepEqual([first['inventory']?.['first'], second['inventory']?.['first']], [true, false]);
    const inventory = await server.call('GET', `/api/v1/agents/${agent.agentId}/inventory`);
    assert.equal(inventory.status, 200);
    assert.ok(inventory.json.inventory.hostname.length > 0);
    assert.ok(inventory.json.inventory.interfaces.length > 0);

    assert.deepEqual(first['discover'], { addresses: 1, found: 1, created: 1, updated: 0 });
    assert.deepEqual(second['discover'], { addresses: 1, found: 1, created: 0, updated: 1 });
    const devices = await server.call('GET', '/api/v1/devices');
    assert.deepEqual(
      devices.json.items.map((d: { ip: string; ports: number[] }) => [d.ip, d.ports]),
      [['127.0.0.1', [serverPort]]],
    );
  });
});
