// GET /health follows the store; GET /api/v1/nodes lists the nodes and which are alive.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

let h: ServerHarness;
before(async () => {
  h = await startServerHarness();
});
after(() => h.cleanup());

describe('health', () => {
  test('ok while the store answers, degraded (503) while it does not, ok again after', async () => {
    assert.deepEqual((await h.expect(200, 'GET', '/health', { token: null })).json, { status: 'ok' });
    const ping = h.store.ping;
    h.store.ping = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    };
    try {
      const reply = await h.expect(503, 'GET', '/health', { token: null });
      assert.deepEqual(reply.json, {
        status: 'degraded',
        reason: 'database unreachable: connect ECONNREFUSED 127.0.0.1:5432',
      });
      // A database that hangs instead of refusing: the check gives up on its own.
      h.store.ping = () => new Promise(() => {});
      const started = Date.now();
      const hung = await h.expect(503, 'GET', '/health', { token: null });
      assert.match(hung.json.reason, /database unreachable: the database ping took longer than 2 s/);
      assert.ok(Date.now() - started < 4_000);
    } finally {
      h.store.ping = ping;
    }
    await h.expect(200, 'GET', '/health', { token: null });
  });
});

describe('nodes', () => {
  test('lists this node alive, a node gone quiet and a stopped one not alive', async () => {
    const now = Date.now();
    const lease = h.engine.ctx.options.leaseMs;
    const gone = { hostname: 'old-host', pid: 7, version: '0.0.1', startedAt: now - 3_600_000 };
    await h.store.nodes.heartbeat({ id: 'quiet', ...gone, seenAt: now - lease - 1_000 });
    await h.store.nodes.heartbeat({ id: 'stopped', ...gone, seenAt: now });
    await h.store.nodes.markStopped('stopped', now);

    const { json } = await h.expect(200, 'GET', '/api/v1/nodes');
    assert.equal(json.next, null);
    const byId = new Map(json.items.map((node: { id: string }) => [node.id, node]));
    assert.deepEqual(byId.get('quiet'), {
      id: 'quiet',
      hostname: 'old-host',
      pid: 7,
      version: '0.0.1',
      startedAt: new Date(gone.startedAt).toISOString(),
      seenAt: new Date(now - lease - 1_000).toISOString(),
      stoppedAt: null,
      alive: false,
    });
    assert.equal((byId.get('stopped') as { alive: boolean; stoppedAt: string }).alive, false);
    assert.equal((byId.get('stopped') as { stoppedAt: string }).stoppedAt, new Date(now).toISOString());
    const self = byId.get(h.engine.nodeId) as { alive: boolean; pid: number; stoppedAt: string | null };
    assert.ok(self, 'the running engine heartbeats');
    assert.deepEqual([self.alive, self.pid, self.stoppedAt], [true, process.pid, null]);
  });

  test('only global admins see the nodes', async () => {
    const org = await h.createOrg('nodes-org');
    const orgAdmin = await h.createUser(org.id, 'nodes-admin', 'org-admin');
    await h.expect(403, 'GET', '/api/v1/nodes', { token: orgAdmin.token });
    await h.expect(401, 'GET', '/api/v1/nodes', { token: null });
  });
});
