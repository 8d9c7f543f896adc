// GET /health follows the store; GET /api/v1/nodes lists the nodes, which are alive and whose
// clock is off the database's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TaskwardenError } from '../../src/core/errors.ts';
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
      // A store that knows what is wrong says so itself.
      h.store.ping = async () => {
        throw new TaskwardenError('store_busy', 'database locked by another process (SQLITE_BUSY: database is locked)');
      };
      assert.deepEqual((await h.expect(503, 'GET', '/health', { token: null })).json, {
        status: 'degraded',
        reason: 'database locked by another process (SQLITE_BUSY: database is locked)',
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
    const gone = { hostname: 'old-host', pid: 7, version: '0.0.1', startedAt: now - 3_600_000, clockOffsetMs: 40 };
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
      clockOffsetMs: 40,
      clockSkewed: false,
    });
    assert.equal((byId.get('stopped') as { alive: boolean; stoppedAt: string }).alive, false);
    assert.equal((byId.get('stopped') as { stoppedAt: string }).stoppedAt, new Date(now).toISOString());
    const self = byId.get(h.engine.nodeId) as {
      alive: boolean;
      pid: number;
      stoppedAt: string | null;
      clockOffsetMs: number | null;
      clockSkewed: boolean;
    };
    assert.ok(self, 'the running engine heartbeats');
    assert.deepEqual([self.alive, self.pid, self.stoppedAt], [true, process.pid, null]);
    // On SQLite there is no database clock to be off from.
    assert.deepEqual([self.clockOffsetMs, self.clockSkewed], [null, false]);
  });

  test('a node whose clock is more than 5 s off shows it, in the API and in /metrics', async () => {
    const now = Date.now();
    const alive = { hostname: 'far "away"', pid: 8, version: '0.1.0', startedAt: now - 60_000, seenAt: now };
    await h.store.nodes.heartbeat({ id: 'ahead', ...alive, clockOffsetMs: 7_250 });
    await h.store.nodes.heartbeat({ id: 'behind', ...alive, clockOffsetMs: -90_000 });
    await h.store.nodes.heartbeat({ id: 'close', ...alive, clockOffsetMs: -5_000 });
    const lease = h.engine.ctx.options.leaseMs;
    await h.store.nodes.heartbeat({ id: 'dead', ...alive, seenAt: now - lease - 1_000, clockOffsetMs: 60_000 });

    const { json } = await h.expect(200, 'GET', '/api/v1/nodes');
    const clocks = Object.fromEntries(
      json.items.map((n: { id: string; clockOffsetMs: number | null; clockSkewed: boolean }) => [
        n.id,
        [n.clockOffsetMs, n.clockSkewed],
      ]),
    );
    assert.deepEqual(clocks.ahead, [7_250, true]);
    assert.deepEqual(clocks.behind, [-90_000, true]);
    assert.deepEqual(clocks.close, [-5_000, false]);
    assert.deepEqual(clocks.dead, [60_000, true]);

    const metrics = await h.expect(200, 'GET', '/metrics');
    const gauges = metrics.body.split('\n').filter((line: string) => line.startsWith('taskwarden_node_clock_offset'));
    assert.deepEqual(gauges.sort(), [
      'taskwarden_node_clock_offset_seconds{node="ahead",hostname="far \\"away\\""} 7.25',
      'taskwarden_node_clock_offset_seconds{node="behind",hostname="far \\"away\\""} -90',
      'taskwarden_node_clock_offset_seconds{node="close",hostname="far \\"away\\""} -5',
    ]);
    assert.match(metrics.body, /^# TYPE taskwarden_node_clock_offset_seconds gauge$/m);
  });

  test('only global admins see the nodes', async () => {
    const org = await h.createOrg('nodes-org');
    const orgAdmin = await h.createUser(org.id, 'nodes-admin', 'org-admin');
    await h.expect(403, 'GET', '/api/v1/nodes', { token: orgAdmin.token });
    await h.expect(401, 'GET', '/api/v1/nodes', { token: null });
  });
});
