// Debian's unmodified fusioninventory-agent runs a Taskwarden network discovery of two
// loopback addresses (found by ICMP ping, which needs root): its scan threads report the
// devices one message each, its END ends the jobstate with them, and they are recorded.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { type E2EServer, runWithContact, startE2EServer } from '../agent/e2e-support.ts';
import { endpointOf, type FusionAgent, fusionAgent, fusionCredential } from './support.ts';

describe('e2e: a FusionInventory agent discovers the network', () => {
  let server: E2EServer;
  let agent: FusionAgent;
  let credential: { user: string; password: string };
  const run = () =>
    agent.run({
      server: endpointOf(server),
      user: credential.user,
      password: credential.password,
      tasks: ['netdiscovery'],
    });

  before(async () => {
    server = await startE2EServer();
    credential = await fusionCredential(server, ['fi']);
    agent = await fusionAgent();
    assert.equal((await run()).code, 0);
  });
  after(async () => {
    await server.close();
    await rm(agent.dir, { recursive: true, force: true });
  });

  // The agent discovers by ICMP ping, which needs root (as on CI and these machines).
  test('a discovery of 127.0.0.1 and 127.0.0.2 returns both, recorded as devices', async () => {
    const task = await server.client.createTask({
      name: 'discover',
      schedule: { kind: 'manual' },
      jobs: [
        {
          name: 'loopback',
          module: 'netdiscovery',
          params: { ranges: ['127.0.0.1', '127.0.0.2'], timeout: '1s', concurrency: 2 },
          targets: { tags: ['fi'] },
        },
      ],
    });
    const results: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const { js, lines } = await runWithContact(server, task.id, run);
      results.push(js.result);
      assert.ok(lines.includes('2 addresses to scan'), lines.join('\n'));
      assert.ok(lines.includes('found 127.0.0.1') && lines.includes('found 127.0.0.2'), lines.join('\n'));
    }
    assert.deepEqual(results, [
      { addresses: 2, found: 2, created: 2, updated: 0 },
      { addresses: 2, found: 2, created: 0, updated: 2 },
    ]);
    const devices = await server.call('GET', '/api/v1/devices');
    assert.deepEqual(devices.json.items.map((d: { ip: string; ports: number[] }) => [d.ip, d.ports]).sort(), [
      ['127.0.0.1', []],
      ['127.0.0.2', []],
    ]);
  });
});
