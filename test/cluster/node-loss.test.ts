// Three engine nodes share chunked jobs; one is SIGKILLed while it runs some of them. The
// others take its jobs over once its leases lapse, resume them from their checkpoints, and
// every job ends once: nothing lost, nothing started twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresForFile } from '../support/postgres.ts';
import {
  chunkLines,
  type EngineNode,
  query,
  RESUME_MARKER,
  startEngineNode,
  until,
  withEngineNodes,
} from './support.ts';

const postgres = postgresForFile();
const RUNS = 12;
const CHUNKS = 8;

test('a node SIGKILLed mid-dispatch: its jobs finish on the others, none lost, none started twice', {
  timeout: 180_000,
}, async () => {
  const url = await postgres.database({ migrated: true });
  await withEngineNodes(url, async (author, nodes) => {
    const options = { leaseMs: 3_000, executorConcurrency: 3 };
    nodes.push(...(await Promise.all([1, 2, 3].map(() => startEngineNode(url, options)))));
    const [victim, ...survivors] = nodes as [EngineNode, ...EngineNode[]];
    const task = await author.addTask({
      schedule: { kind: 'manual' },
      concurrency: 'allow',
      jobs: [{ name: 'work', module: 'noop', params: { chunks: CHUNKS, sleepMs: 150 }, targets: { server: true } }],
    });
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await author.engine.runNow(task.id, null));

    // Every job the victim holds must be past a checkpoint: one killed in its first chunk has
    // nothing to resume from and ends `interrupted` (by design), which this test is not about.
    const held = await until('the victim to run a few jobs, all past their first checkpoint', async () => {
      const rows = await query<{ id: string; resumable: boolean }>(
        url,
        `select id, checkpoint is not null as resumable from jobstates where status = 'running' and lease_owner like $1`,
        [`${victim.nodeId}/%`],
      );
      return rows.length >= 2 && rows.every((row) => row.resumable) && rows.map((row) => row.id);
    });
    victim.signal('SIGKILL');
    await victim.stop();
    // On a loaded machine the victim may have ended one of them between that query and the
    // kill; what it still held when it died (its lease runs 3 s more) is what must be resumed.
    const orphaned = await query<{ id: string }>(
      url,
      `select id from jobstates where status = 'running' and lease_owner like $1`,
      [`${victim.nodeId}/%`],
    );
    const resumable = held.filter((id) => orphaned.some((row) => row.id === id));
    assert.ok(resumable.length > 0, 'the victim died holding jobs past a checkpoint');

    await until(
      'every run to finish',
      async () => (await author.store.runs.countByStatus()).finished === RUNS,
      120_000,
    );
    const { items: listed } = await author.store.runs.list({ taskId: task.id }, { limit: 100 });
    assert.equal(listed.length, RUNS, 'no run was created twice');

    for (const run of runs) {
      const [js] = await author.store.jobstates.allOfRun(run.id);
      assert.ok(js);
      assert.deepEqual([js.status, js.attempt, js.result], ['finished', 1, { chunks: CHUNKS, attempt: 1 }]);
      const chunks = await chunkLines(author.store, js.id);
      const expected = Array.from({ length: CHUNKS }, (_, i) => `chunk ${i + 1}/${CHUNKS}`);
      // A chunk's log lines land with its outcome: the killed node's chunk in flight left none.
      assert.deepEqual(chunks, expected, `jobstate ${js.id} ran each chunk once`);
    }
    for (const id of resumable) {
      const { items } = await author.store.logs.list(id, { limit: 1000 });
      assert.ok(
        items.some((line) => line.line === RESUME_MARKER),
        `jobstate ${id} was resumed from its checkpoint on another node`,
      );
    }
    for (const node of survivors) assert.equal(await node.stop(), 0);
    const finishedBySurvivors = survivors.map((node) => Number(/^finished (\d+)$/m.exec(node.output())?.[1]));
    assert.ok(
      finishedBySurvivors.reduce((sum, n) => sum + n, 0) >= held.length,
      `the survivors finished at least the victim's jobs: ${finishedBySurvivors}`,
    );
  });
});
