// Two engine nodes on one PostgreSQL database, ticking side by side over a rollout run of
// 450 agents (waves above the 200 jobstates one advance pass takes, so both nodes hold some
// of a wave) with a pause: when it ends, the next wave's jobstates come due on both nodes at
// once, and each wave still opens exactly once (the run's row lock and the compare-and-set
// on its open waves; without them waves 3 and 4 opened twice), no target of a wave starting
// before the pause after the one before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import { newId } from '../../src/core/ids.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { Engine } from '../../src/engine/engine.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { openPostgresStore } from '../../src/store/postgres/store.ts';
import { makeAgent } from '../store/fixtures.ts';
import { postgresForFile } from '../support/postgres.ts';
import { fleetStep } from '../support/rollout.ts';

const postgres = postgresForFile();
const AGENTS = 450;

test('two nodes over one rollout run: every wave opens once, in order', { timeout: 120_000 }, async () => {
  const url = await postgres.database({ migrated: true });
  const clock = new FakeClock('2026-12-01T00:00:00Z');
  const modules = createModuleRegistry([...builtinModules({ testModules: true }), fleetStep]);
  const opened: string[] = [];
  const stores: Store[] = [];
  const nodes: Engine[] = [];
  for (const nodeId of ['node-a', 'node-b']) {
    const store = await openPostgresStore({ url });
    stores.push(store);
    nodes.push(
      new Engine({
        store,
        modules,
        services: createModuleServices(store),
        clock,
        options: { defaultTz: 'UTC', nodeId, executorConcurrency: 8 },
        log: { warn: () => {}, info: (line) => (line.includes('opened') ? opened.push(line) : undefined) },
      }),
    );
  }
  try {
    const store = stores[0] as Store;
    const org = await store.orgs.create({ id: newId(), name: 'org-nodes', createdAt: clock.now() });
    for (let i = 0; i < AGENTS; i++) {
      await store.agents.create(makeAgent(org.id, { name: `pc-${String(i).padStart(3, '0')}`, tags: ['fleet'] }));
    }
    const def = readTaskDef(
      {
        name: 'two-node-rollout',
        schedule: { kind: 'manual' },
        rollout: { waves: ['1', '10', '50%'], pause: '1m' },
        jobs: [{ name: 'step', module: 'fleet-step', params: {}, targets: { tags: ['fleet'] } }],
      },
      { modules, defaultTz: 'UTC' },
    );
    const task = await (nodes[0] as Engine).createTask(org.id, def, 'tester');
    const run = await (nodes[0] as Engine).runNow(task.id, 'tester');
    const end = Date.now() + 90_000;
    while ((await store.runs.get(run.id))?.status === 'running') {
      assert.ok(Date.now() < end, 'the run ends');
      const changed = await Promise.all(nodes.map((node) => node.tick()));
      // Quiet on both: the pause runs; its end makes the next wave's jobstates due on both nodes at once.
      if (changed.every((n) => n === 0) && nodes.every((node) => node.busy === 0)) clock.advance(60_000);
    }
    const done = await store.runs.get(run.id);
    assert.deepEqual([done?.status, done?.rollout?.wave, done?.rollout?.reach], ['finished', 4, [1, 10, 225, 450]]);
    assert.equal(opened.length, 3, `each of waves 2..4 opened once:\n${opened.join('\n')}`);
    const jobstates = await store.jobstates.allOfRun(run.id);
    for (let wave = 2; wave <= 4; wave++) {
      const lastEnd = Math.max(...jobstates.filter((j) => (j.wave ?? 0) < wave).map((j) => j.finishedAt ?? 0));
      for (const js of jobstates.filter((j) => j.wave === wave)) assert.ok((js.startedAt ?? 0) >= lastEnd + 60_000);
    }
  } finally {
    for (const node of nodes) await node.stop(1_000);
    for (const store of stores) await store.close();
  }
});
