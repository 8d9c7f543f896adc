// A node frozen (SIGSTOP) in the middle of a chunk, past its lease, while another node
// takes the job over; then it thaws (SIGCONT) and its chunk returns. Its report names a
// lease it lost: the store refuses it, and the job ends once, by the node that took it over.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresForFile } from '../support/postgres.ts';
import { type EngineNode, RESUME_MARKER, startEngineNode, until, withEngineNodes } from './support.ts';

const postgres = postgresForFile();

test('a node SIGSTOPped past its lease, then SIGCONTed: its stale report is refused', {
  timeout: 120_000,
}, async () => {
  const url = await postgres.database({ migrated: true });
  await withEngineNodes(url, async (author, nodes) => {
    const options = { leaseMs: 2_000 };
    const frozen = await startEngineNode(url, options);
    nodes.push(frozen);
    const task = await author.addTask({
      schedule: { kind: 'manual' },
      jobs: [{ name: 'work', module: 'noop', params: { chunks: 2, sleepMs: 1_500 }, targets: { server: true } }],
    });
    const run = await author.engine.runNow(task.id, null);
    const owned = (owner: string | null | undefined, node: EngineNode) => owner?.startsWith(`${node.nodeId}/`);

    // Chunk 1 done (a checkpoint to resume from), chunk 2 in flight on the node about to freeze.
    const js = await until('the second chunk to run on the first node', async () => {
      const [current] = await author.store.jobstates.allOfRun(run.id);
      return (
        current?.status === 'running' && current.checkpoint !== null && owned(current.leaseOwner, frozen) && current
      );
    });
    frozen.signal('SIGSTOP');

    const rescuer = await startEngineNode(url, options);
    nodes.push(rescuer);
    await until('the other node to take the job over', async () => {
      const current = await author.store.jobstates.get(js.id);
      return current?.status === 'running' && owned(current.leaseOwner, rescuer);
    });
    frozen.signal('SIGCONT');
    await until('the thawed node to drop its stale chunk', async () =>
      frozen.output().includes(`jobstate ${js.id}: no longer ours`),
    );

    const ended = await until('the run to end', async () => {
      const current = await author.store.runs.get(run.id);
      return current?.finishedAt !== null && current;
    });
    assert.equal(ended?.status, 'finished');
    const final = await author.store.jobstates.get(js.id);
    assert.deepEqual([final?.status, final?.attempt, final?.result], ['finished', 1, { chunks: 2, attempt: 1 }]);
    const lines = (await author.store.logs.list(js.id, { limit: 100 })).items.map((line) => line.line);
    assert.deepEqual(lines, ['chunk 1/2', RESUME_MARKER, 'chunk 2/2'], 'the stale chunk left no line');

    assert.equal(await frozen.stop(), 0);
    assert.equal(await rescuer.stop(), 0);
    assert.match(frozen.output(), /^finished 0$/m, 'the thawed node finished nothing');
    assert.match(rescuer.output(), /^finished 1$/m, 'the job ended once, by the node that took it over');
  });
});
