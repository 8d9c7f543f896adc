// Debian's unmodified fusioninventory-agent against a real Taskwarden server: a wrong
// password gets nothing in; its first contact enrols it and its inventory arrives; an
// inventory job ends with its inventory whether it compresses with zlib, gzip or not at all.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { allLogs, type E2EServer, runEnded, startE2EServer } from '../agent/e2e-support.ts';
import { endpointOf, type FusionAgent, fusionAgent, fusionCredential } from './support.ts';

/** What Taskwarden keeps is host, OS, CPU, memory, disks and interfaces: the rest is skipped to keep runs short. */
const UNKEPT_CATEGORIES =
  'software,process,environment,printer,usb,slot,sound,video,modem,firewall,local_user,local_group,' +
  'user,virtualmachine,controller,storage,input,port,monitor,battery,psu,antivirus,licenseinfo,remote_mgmt,lvm';

describe('e2e: a FusionInventory agent sends its inventory', () => {
  let server: E2EServer;
  let agent: FusionAgent;
  let credential: { user: string; password: string };
  const run = (opts: { password?: string; extra?: string[]; withoutZlib?: boolean } = {}) =>
    agent.run({
      server: endpointOf(server),
      user: credential.user,
      password: opts.password ?? credential.password,
      tasks: ['inventory'],
      extra: [`--no-category=${UNKEPT_CATEGORIES}`, ...(opts.extra ?? [])],
      withoutZlib: opts.withoutZlib ?? false,
    });
  const tokenUses = async () => (await server.call('GET', '/api/v1/enrolment-tokens')).json.items[0].usesLeft;

  before(async () => {
    server = await startE2EServer();
    credential = await fusionCredential(server, ['fi'], 5);
    agent = await fusionAgent();
  });
  after(async () => {
    await server.close();
    await rm(agent.dir, { recursive: true, force: true });
  });

  test('a wrong password is refused and nothing is written', async () => {
    const refused = await run({ password: 'twe_not-the-token' });
    assert.match(refused.output, /authentication required, wrong credentials/);
    assert.match(refused.output, /No answer from server/);
    assert.deepEqual((await server.call('GET', '/api/v1/agents')).json.items, []);
    assert.equal(await tokenUses(), 5);
  });

  test('its first contact enrols it with the tags of the token, and its inventory arrives (zlib)', async () => {
    const first = await run();
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /Using Compress::Zlib for compression/);
    const [fi] = (await server.call('GET', '/api/v1/agents')).json.items;
    assert.deepEqual(
      [fi.kind, fi.tags, [...fi.modules].sort()],
      ['fusioninventory', ['fi'], ['deploy', 'inventory', 'netdiscovery', 'wakeonlan-relay']],
    );
    assert.match(fi.version, /^2\.6/);
    assert.equal(await tokenUses(), 4);
    const stored = await server.call('GET', `/api/v1/agents/${fi.id}/inventory`);
    assert.equal(stored.status, 200, JSON.stringify(stored.json));
    assert.equal(stored.json.jobstateId, null, 'sent unasked, at its first contact');
    assert.equal(stored.json.inventory.hostname, hostname().split('.')[0]);
    const lo = stored.json.inventory.interfaces.find((nic: { name: string }) => nic.name === 'lo');
    assert.ok(lo?.addresses.includes('127.0.0.1/8'), JSON.stringify(stored.json.inventory.interfaces));
  });

  test('an inventory job ends with the inventory, sent gzip-compressed or uncompressed', async () => {
    const task = await server.client.createTask({
      name: 'inventory',
      schedule: { kind: 'manual' },
      jobs: [{ name: 'inventory', module: 'inventory', targets: { tags: ['fi'] } }],
    });
    const modes = [
      { opts: { withoutZlib: true }, says: /Using gzip for compression/ },
      { opts: { extra: ['--no-compression'] }, says: /Not using compression/ },
    ];
    for (const { opts, says } of modes) {
      const started = await server.client.runTask(task.id);
      const sent = await run(opts);
      assert.match(sent.output, says);
      const ended = await runEnded(server.client, started.id, 10_000);
      const [js] = await server.client.runJobstates(ended.id);
      assert.ok(js, 'the run has its jobstate');
      assert.equal(ended.status, 'finished', JSON.stringify(js));
      assert.deepEqual([js.status, (js.result as { first: boolean }).first], ['finished', false]);
      const lines = (await allLogs(server.client, js.id as string)).map((l) => l.line);
      assert.ok(
        lines.some((line) => line.startsWith('inventory received:')),
        lines.join('\n'),
      );
      const stored = await server.call('GET', `/api/v1/agents/${js.agentId}/inventory`);
      assert.equal(stored.json.jobstateId, js.id);
    }
  });
});
