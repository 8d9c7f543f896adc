// The fleet over the API and the agent protocol, on a real socket: package upload, listing
// and ranged download by an agent (hash checked); an agent's inventory and its history;
// devices found by a discovery on the server; wake-on-LAN of an agent sent by the server;
// a deploy job's payload as the agent receives it. The tests run in order and build on each
// other: the package registered first is deployed last, the inventory gives wake-on-LAN its MAC.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AgentServer, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';
import { startServerHarness } from '../support/server.ts';

const ARCHIVE = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
const SHA = createHash('sha256').update(ARCHIVE).digest('hex');

const inventory = (version: string) => ({
  hostname: 'pc-1',
  os: { name: 'Debian GNU/Linux', version, kernel: '6.1.0', arch: 'x64' },
  cpu: { model: 'cpu', cores: 4 },
  memory: { totalBytes: 8589934592 },
  disks: [{ mount: '/', fs: '/dev/sda1', sizeBytes: 1000, freeBytes: 10 }],
  interfaces: [{ name: 'eth0', mac: '00:11:22:33:44:55', addresses: ['192.168.1.20/24'], internal: false }],
});

describe('fleet API', () => {
  let h: AgentServer;
  let operator: string;
  let viewer: string;
  let agent: TestAgent;

  before(async () => {
    h = await startAgentServer();
    operator = (await h.createUser(h.orgId, 'fleet-op', 'operator')).token;
    viewer = (await h.createUser(h.orgId, 'fleet-viewer', 'viewer')).token;
    agent = await h.enrol({ name: 'pc-1', modules: ['inventory', 'deploy', 'netdiscovery'] });
  });
  after(() => h.cleanup());

  const upload = (body: Buffer, token = operator, type = 'application/octet-stream') =>
    fetch(`${h.base}/api/v1/packages/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body,
    });

  const download = (headers: Record<string, string> = {}, sha = SHA, credential = agent.credential) =>
    fetch(`${h.base}/agent/v1/files/${sha}`, { headers: { authorization: `Bearer ${credential}`, ...headers } });

  describe('packages', () => {
    test('an operator uploads the archive as a raw body; the same content again is 200', async () => {
      const first = await upload(ARCHIVE);
      assert.equal(first.status, 201);
      const file = (await first.json()) as { sha256: string; size: number };
      assert.deepEqual([file.sha256, file.size], [SHA, ARCHIVE.length]);
      assert.equal((await upload(ARCHIVE)).status, 200);
      assert.equal((await upload(ARCHIVE, viewer)).status, 403);
      assert.equal((await upload(ARCHIVE, operator, 'text/plain')).status, 415);
    });

    test('a package is registered with its manifest, checked against the catalog', async () => {
      const manifest = {
        checks: [{ type: 'file-exists', path: '/opt/app/bin/app' }],
        steps: [
          { type: 'extract', to: '/opt/app' },
          { type: 'command', command: 'agent-echo', args: { msg: 'installed' } },
        ],
      };
      const bad = async (body: Record<string, unknown>, field: string) => {
        const reply = await h.expect(400, 'POST', '/api/v1/packages', { token: operator, body });
        assert.equal(reply.json.error.details.field, field, reply.body);
      };
      const base = { name: 'app', version: '1.0', archive: SHA, ...manifest };
      // Absolute folders: only under those the global admin allowed for the org.
      await bad(base, 'steps[0].to');
      await h.expect(200, 'PATCH', `/api/v1/orgs/${h.orgId}`, { body: { extractPrefixes: ['/opt'] } });
      await bad({ ...base, steps: [{ type: 'extract', to: '../relative' }] }, 'steps[0].to');
      await bad({ ...base, steps: [{ type: 'command', command: 'no-such' }] }, 'steps[0].command');
      await bad(
        { ...base, steps: [{ type: 'command', command: 'agent-echo', args: { msg: 'X;Y' } }] },
        'steps[0].args.msg',
      );
      await bad({ ...base, archive: 'c'.repeat(64) }, 'archive');

      const created = await h.expect(201, 'POST', '/api/v1/packages', { token: operator, body: base });
      assert.deepEqual(
        [created.json.name, created.json.version, created.json.sha256, created.json.size],
        ['app', '1.0', SHA, 3000],
      );
      assert.deepEqual(created.json.manifest.steps[1], {
        type: 'command',
        command: 'agent-echo',
        args: { msg: 'installed' },
      });
      await h.expect(409, 'POST', '/api/v1/packages', { token: operator, body: base });

      const list = await h.expect(200, 'GET', '/api/v1/packages?name=app', { token: viewer });
      assert.deepEqual(
        list.json.items.map((p: { id: string }) => p.id),
        [created.json.id],
      );
      await h.expect(200, 'GET', `/api/v1/packages/${created.json.id}`, { token: viewer });
      const other = await h.createOrg('other-org');
      const stranger = (await h.createUser(other.id, 'stranger', 'org-admin')).token;
      await h.expect(404, 'GET', `/api/v1/packages/${created.json.id}`, { token: stranger });
      assert.deepEqual((await h.expect(200, 'GET', '/api/v1/packages', { token: stranger })).json.items, []);
      // The other org cannot use this org's upload by naming its hash.
      const taken = await h.expect(400, 'POST', '/api/v1/packages', {
        token: stranger,
        body: { ...base, steps: [{ type: 'extract', to: 'x' }] },
      });
      assert.equal(taken.json.error.details.field, 'archive');
    });

    test('an agent downloads the file of its running deploy job, whole or from a byte range (206)', async () => {
      assert.equal((await download()).status, 404, 'no job of the agent names it yet');
      const taskId = await h.task({
        jobs: [{ name: 'app', module: 'deploy', params: { package: 'app' }, targets: { agents: [agent.id] } }],
      });
      await h.run(taskId);
      const job = await agent.takeOne();
      const whole = await download();
      assert.equal(whole.status, 200);
      assert.equal(whole.headers.get('accept-ranges'), 'bytes');
      assert.equal(whole.headers.get('etag'), `"${SHA}"`);
      const body = Buffer.from(await whole.arrayBuffer());
      assert.equal(createHash('sha256').update(body).digest('hex'), SHA);

      const tail = await download({ range: 'bytes=1000-' });
      assert.equal(tail.status, 206);
      assert.equal(tail.headers.get('content-range'), 'bytes 1000-2999/3000');
      const rest = Buffer.from(await tail.arrayBuffer());
      assert.deepEqual(rest, ARCHIVE.subarray(1000));
      // What a resumed download assembles hashes to the name.
      const assembled = Buffer.concat([ARCHIVE.subarray(0, 1000), rest]);
      assert.equal(createHash('sha256').update(assembled).digest('hex'), SHA);

      const middle = await download({ range: 'bytes=10-19' });
      assert.equal(middle.headers.get('content-range'), 'bytes 10-19/3000');
      assert.deepEqual(Buffer.from(await middle.arrayBuffer()), ARCHIVE.subarray(10, 20));
      const suffix = await download({ range: 'bytes=-5' });
      assert.deepEqual(Buffer.from(await suffix.arrayBuffer()), ARCHIVE.subarray(2995));

      const beyond = await download({ range: 'bytes=3000-' });
      assert.equal(beyond.status, 416);
      assert.equal(beyond.headers.get('content-range'), 'bytes */3000');
      assert.equal(((await beyond.json()) as { error: { code: string } }).error.code, 'range_not_satisfiable');
      assert.equal((await download({ range: 'bytes=0-1,5-9' })).status, 200, 'several ranges: the whole file');
      await agent.finish(job.jobstate, job.attempt, true);
      assert.equal((await download()).status, 404, 'not once the job is over');
    });

    test('downloads need an agent credential of the org that uploaded the file', async () => {
      assert.equal((await download({}, SHA, `${agent.id}.${'x'.repeat(43)}`)).status, 401);
      const userToken = await fetch(`${h.base}/agent/v1/files/${SHA}`, {
        headers: { authorization: `Bearer ${operator}` },
      });
      assert.equal(userToken.status, 401);
      assert.equal((await download({}, 'd'.repeat(64))).status, 404);
      assert.equal((await download({}, 'not-a-hash')).status, 400);
    });
  });

  test('a package larger than the limit is refused with 413 and leaves nothing behind', async () => {
    const small = await startServerHarness({ packageLimit: 100 });
    try {
      const org = await small.createOrg('o');
      const reply = await small.call('POST', `/api/v1/packages/files?org=${org.id}`, {
        payload: 'x'.repeat(101),
        headers: { 'content-type': 'application/octet-stream' },
      });
      assert.equal(reply.status, 413, reply.body);
      assert.equal(reply.json.error.code, 'payload_too_large');
      const fits = await small.call('POST', `/api/v1/packages/files?org=${org.id}`, {
        payload: 'x'.repeat(100),
        headers: { 'content-type': 'application/octet-stream' },
      });
      assert.equal(fits.status, 201, fits.body);
    } finally {
      await small.cleanup();
    }
  });

  test("an agent's inventory is stored with a history of what changed", async () => {
    const taskId = await h.task({
      jobs: [{ name: 'inventory', module: 'inventory', targets: { agents: [agent.id] } }],
    });
    await h.expect(404, 'GET', `/api/v1/agents/${agent.id}/inventory`, { token: viewer });
    for (const version of ['12.4', '12.5']) {
      await h.run(taskId);
      const job = await agent.takeOne();
      await agent.finish(job.jobstate, job.attempt, true, inventory(version));
    }
    const stored = await h.expect(200, 'GET', `/api/v1/agents/${agent.id}/inventory`, { token: viewer });
    assert.equal(stored.json.inventory.os.version, '12.5');
    assert.equal(stored.json.agentId, agent.id);
    const history = await h.expect(200, 'GET', `/api/v1/agents/${agent.id}/inventory/history`, { token: viewer });
    assert.deepEqual(
      history.json.items.map((e: { changes: unknown }) => e.changes),
      [[{ path: 'os.version', from: '12.4', to: '12.5' }]],
    );
    const line = (await h.expect(200, 'GET', '/api/v1/summary', { token: viewer })).json.items.find(
      (i: { taskId: string }) => i.taskId === taskId,
    );
    assert.equal(line.details, '1 inventoried, 1 changed');
  });

  describe('with listeners on 127.0.0.x', () => {
    let tcp: Server;
    let tcpPort: number;
    let udp: Socket;
    const packets: Buffer[] = [];
    before(async () => {
      tcp = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.3', resolve));
      tcpPort = (tcp.address() as { port: number }).port;
      udp = createSocket('udp4');
      udp.on('message', (message) => packets.push(message));
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    });
    after(async () => {
      udp.close();
      await new Promise((resolve) => tcp.close(resolve));
    });

    test('a discovery on the server records devices, new then updated', async () => {
      const params = { ranges: ['127.0.0.1-127.0.0.4'], ports: [tcpPort], timeout: '2s', concurrency: 4 };
      const taskId = await h.task({
        jobs: [{ name: 'discover', module: 'netdiscovery', params, targets: { server: true } }],
      });
      for (const expected of ['1 new, 0 updated', '0 new, 1 updated']) {
        await h.expect(200, 'POST', `/api/v1/tasks/${taskId}/runs?wait=20`, { token: operator });
        const line = (await h.expect(200, 'GET', '/api/v1/summary', { token: viewer })).json.items.find(
          (i: { taskId: string }) => i.taskId === taskId,
        );
        assert.equal(line.details, expected);
      }
      const devices = await h.expect(200, 'GET', '/api/v1/devices', { token: viewer });
      assert.deepEqual(
        devices.json.items.map((d: { ip: string; ports: number[] }) => [d.ip, d.ports]),
        [['127.0.0.3', [tcpPort]]],
      );
    });

    test('wake-on-LAN of an agent is sent by the server, to the MAC of its inventory', async () => {
      const port = (udp.address() as { port: number }).port;
      const params = { broadcast: '127.0.0.1', port };
      const taskId = await h.task({
        jobs: [{ name: 'wake', module: 'wakeonlan', params, targets: { agents: [agent.id] } }],
      });
      const run = await h.expect(200, 'POST', `/api/v1/tasks/${taskId}/runs?wait=20`, { token: operator });
      assert.equal(run.json.status, 'finished');
      await h.until(async () => packets.length > 0, 'the magic packet');
      assert.equal(packets.length, 1);
      assert.equal(packets[0]?.toString('hex'), `${'ff'.repeat(6)}${'001122334455'.repeat(16)}`);
    });
  });

  test('a deploy job reaches the agent with the archive hash and rendered commands', async () => {
    const taskId = await h.task({
      jobs: [{ name: 'app', module: 'deploy', params: { package: 'app' }, targets: { agents: [agent.id] } }],
    });
    await h.run(taskId);
    const job = await agent.takeOne();
    assert.deepEqual(job.payload, {
      package: { name: 'app', version: '1.0', sha256: SHA, size: 3000 },
      action: 'install',
      checks: [{ type: 'file-exists', path: '/opt/app/bin/app' }],
      steps: [
        { type: 'extract', to: '/opt/app' },
        { type: 'command', command: 'agent-echo', argv: ['echo', 'installed'], timeoutSeconds: 60 },
      ],
      extractPrefixes: ['/opt'],
    });
  });
});
