// Fault: the race at the end of a node's freeze (SIGSTOP, a paused VM). Its lease lapsed; a
// sweeper lists the job as orphaned; in between that listing and the sweeper's write, the
// owner thaws and renews its lease, its chunk still running. The recovery must then be
// refused: written anyway, the job went back to `prepared` and a second copy of the chunk
// started while the first still ran (two processes at once for a command job).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const LEASE_MS = 30_000;
const OWNER = 'frozen-node/claim-1';

let h: EngineHarness | undefined;
afterEach(() => h?.cleanup());

test('a lease renewed between the sweeper’s listing and its write stays with its owner', async () => {
  const harness = await startEngineHarness({ options: { leaseMs: LEASE_MS } });
  h = harness;
  const { store, clock, engine } = harness;
  const task = await harness.addTask({ schedule: { kind: 'manual' }, jobs: [serverJob('noop', { chunks: 4 })] });
  const run = await engine.runNow(task.id, 'tester');
  // The other node claims the job and checkpoints; ours is kept from claiming it by a zero-slot executor.
  engine.ctx.options.executorConcurrency = 0;
  await engine.tick();
  const [claimed] = await store.jobstates.claimServer(OWNER, clock.now(), clock.now() + LEASE_MS, 1);
  assert.equal(claimed?.runId, run.id, 'the other node claimed it');
  await store.jobstates.update(claimed.id, { checkpoint: { done: 2 }, updatedAt: clock.now() });

  // Its lease lapses while it is frozen; it thaws right after our sweeper listed the job.
  clock.advance(LEASE_MS + 1_000);
  const list = store.jobstates.listLeaseExpired.bind(store.jobstates);
  store.jobstates.listLeaseExpired = async (now, limit) => {
    const listed = await list(now, limit);
    await store.jobstates.renewLeases(OWNER, [claimed.id], clock.now() + LEASE_MS);
    return listed;
  };
  engine.ctx.options.executorConcurrency = 4;
  await engine.tick();

  const js = await store.jobstates.get(claimed.id);
  assert.deepEqual(
    [js?.status, js?.leaseOwner, js?.leaseExpiresAt, js?.reason],
    ['running', OWNER, clock.now() + LEASE_MS, null],
    'the job stays with the owner that renewed its lease',
  );
  const { items } = await store.logs.list(claimed.id, { limit: 100 });
  assert.deepEqual(
    items.map((line) => line.line),
    [],
    'nothing was resumed or run here',
  );
});
