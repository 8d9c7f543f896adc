// Two server nodes whose own clocks are 90 s off, one ahead and one behind
// (TASKWARDEN_TEST_CLOCK_SKEW_MS), fire tasks on time all the same: they compare due times
// against the database clock, and the times they record are the database's too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresForFile } from '../support/postgres.ts';
import { adminTokenOf, api, query, type ServerNode, startServerNode, until } from './support.ts';

const postgres = postgresForFile();
const SKEW_MS = 90_000;
const TASKS = 6;
/** How late a firing may be seen: the poll interval here plus a loaded machine's slack. */
const LATE_MS = 3_000;

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
    for (const node of listed.json.items) {
      assert.equal(node.alive, true, `${node.id} is alive`);
      assert.ok(Math.abs(Date.parse(node.seenAt) - Date.now()) < 10_000, 'heartbeats carry the database time');
    }
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
});
