// Two server nodes whose own clocks are 90 s off, one ahead and one behind
// (TASKWARDEN_TEST_CLOCK_SKEW_MS), fire tasks on time all the same: they compare due times
// against the database clock, and the times they record are the database's too. Each says
// its clock is off: a warning once, its offset and clockSkewed in /api/v1/nodes, a gauge in /metrics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresForFile } from '../support/postgres.ts';
import { adminTokenOf, api, query, type ServerNode, startServerNode, until } from './support.ts';

const postgres = postgresForFile();
const SKEW_MS = 90_000;
const TASKS = 6;
/** How late a firing may be seen: the poll interval here plus a loaded machine's slack. */
const LATE_MS = 3_000;
/** How far a measured offset may be from the skew: half a round trip to the database on a loaded machine. */
const OFFSET_NOISE_MS = 1_000;

test('nodes whose clocks are 90 s off still fire on time', { timeout: 120_000 }, async () => {
  const url = await postgres.database({ migrated: true });
  const nodes: ServerNode[] = [];
  try {
    nodes.push(await startServerNode(url, { TASKWARDEN_TEST_CLOCK_SKEW_MS: String(SKEW_MS) }));
    nodes.push(await startServerNode(url, { TASKWARDEN_TEST_CLOCK_SKEW_MS: String(-SKEW_MS) }));
    const [ahead] = nodes as [ServerNode];
    const token = await adminTokenOf(ahead);
    assert.equal((await api(ahead, token, 'POST', '/api/v1/orgs', { name: 'acme' })).status, 201);

    // The database runs on this machine: its clock is this process's clock.
    const at = Date.now() + 6_000;
    for (let i = 0; i < TASKS; i++) {
      const created = await api(ahead, token, 'POST', '/api/v1/tasks?org=acme', {
        name: `on-time-${i}`,
        schedule: { kind: 'once', at: new Date(at).toISOString() },
        jobs: [{ name: 'noop', module: 'noop', targets: { server: true } }],
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
    }
    assert.ok(Date.now() < at - 1_000, 'the tasks were created before they were due');

    const seen = new Map<string, number>();
    await until(
      'every task to fire',
      async () => {
        const rows = await query<{ id: string }>(url, 'select id from runs');
        for (const row of rows) if (!seen.has(row.id)) seen.set(row.id, Date.now());
        return seen.size === TASKS;
      },
      at + 30_000 - Date.now(),
    );
    for (const seenAt of seen.values()) {
      assert.ok(seenAt >= at, `a run appeared ${at - seenAt} ms before its fire time`);
      assert.ok(seenAt <= at + LATE_MS, `a run appeared ${seenAt - at} ms after its fire time`);
    }
    const runs = await until('every run to finish', async () => {
      const rows = await query<{ fire_at: string; created_at: string; started_at: string; reason: string }>(
        url,
        `select fire_at, created_at, started_at, reason from runs where status = 'finished'`,
      );
      return rows.length === TASKS && rows;
    });
    for (const run of runs) {
      assert.equal(run.reason, 'schedule', 'fired on time, not caught up as a misfire');
      assert.equal(Number(run.fire_at), at);
      for (const recorded of [run.created_at, run.started_at]) {
        const ms = Number(recorded);
        assert.ok(ms >= at && ms <= at + LATE_MS, `recorded ${ms - at} ms from the fire time: the database clock`);
      }
    }

    const listed = await api(ahead, token, 'GET', '/api/v1/nodes');
    assert.equal(listed.status, 200);
    assert.equal(listed.json.items.length, 2);
    const metrics = await fetch(`${ahead.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const gauges = (await metrics.text())
      .split('\n')
      .filter((l) => l.startsWith('taskwarden_node_clock_offset_seconds'));
    for (const node of listed.json.items) {
      assert.equal(node.alive, true, `${node.id} is alive`);
      assert.ok(Math.abs(Date.parse(node.seenAt) - Date.now()) < 10_000, 'heartbeats carry the database time');
      // Each node measured its own offset to the database and says it is skewed, in the API and the metrics.
      const skew = node.pid === ahead.child.pid ? SKEW_MS : -SKEW_MS;
      assert.ok(
        Math.abs(node.clockOffsetMs - skew) < OFFSET_NOISE_MS,
        `${node.clockOffsetMs} ms for a ${skew} ms skew`,
      );
      assert.equal(node.clockSkewed, true);
      const gauge = gauges.find((l) => l.startsWith(`taskwarden_node_clock_offset_seconds{node="${node.id}"`));
      assert.ok(Math.abs(Number(gauge?.split(' ')[1]) - skew / 1000) < OFFSET_NOISE_MS / 1000, String(gauge));
    }
    // Each node warned once that its clock is off, not at each heartbeat.
    for (const [node, way] of [
      [ahead, 'ahead of'],
      [nodes[1] as ServerNode, 'behind'],
    ] as const) {
      const warned = node
        .output()
        .split('\n')
        .filter((line) => line.includes('its clock is'));
      assert.equal(warned.length, 1, warned.join('\n'));
      assert.match(
        warned[0] as string,
        new RegExp(`its clock is 90\\.\\d s ${way} the database's \\(more than 5 s\\)`),
      );
    }
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
});
