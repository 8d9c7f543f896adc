// A group commit holds its chunk results' updates and writes them in one statement
// (JobstateRepo.updateOwned). When one of them lost its lease meanwhile (taken over, ended
// elsewhere), the batch is rolled back and each result written alone: the one still owned
// lands, the other is refused, and nothing of the rolled-back batch remains. Runs on
// PostgreSQL too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StoreSession } from '../../src/core/ports/store.ts';
import { endOf, GroupCommit } from '../../src/engine/group-commit.ts';
import { endJobstate } from '../../src/engine/outcomes.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

let h: EngineHarness;
before(async () => {
  h = await startEngineHarness();
});
after(() => h?.cleanup());

test('a batch whose held result lost its lease is written again result by result', async () => {
  const task = await h.addTask({ schedule: { kind: 'manual' }, concurrency: 'allow', jobs: [serverJob('noop')] });
  for (let i = 0; i < 3; i++) await h.engine.runNow(task.id, null);
  const now = h.clock.now();
  const owner = 'test-node/claim';
  const claimed = await h.store.jobstates.claimServer(owner, now, now + 60_000, 10);
  assert.equal(claimed.length, 3);
  const [kept, taken, alsoKept] = claimed as [(typeof claimed)[0], (typeof claimed)[0], (typeof claimed)[0]];
  // Another node took this one over after our claim: our result must not land.
  assert.ok(await h.store.jobstates.update(taken.id, { leaseOwner: 'other-node/claim', updatedAt: now }));

  const seen = { transactions: 0, heldWrites: 0 };
  const transaction = h.store.transaction.bind(h.store);
  h.store.transaction = (fn) =>
    transaction((tx) => {
      seen.transactions++;
      const updateOwned: StoreSession['jobstates']['updateOwned'] = (rows, status) => {
        seen.heldWrites++;
        return tx.jobstates.updateOwned(rows, status);
      };
      return fn({ ...tx, jobstates: { ...tx.jobstates, updateOwned } });
    });
  try {
    const commits = new GroupCommit(h.engine.ctx);
    const fence = { status: ['running' as const], leaseOwner: owner };
    const landed = await Promise.all(
      [kept, taken, alsoKept].map((js) =>
        commits.write((uow) => endJobstate(h.engine.ctx, uow, js, { ok: true, result: { i: js.id } }, fence), {
          ends: endOf(js),
        }),
      ),
    );
    assert.deepEqual(landed, [true, false, true]);
    // One batch with one held write, refused as a whole, then each result alone (no holding).
    assert.deepEqual(seen, { transactions: 4, heldWrites: 1 });
  } finally {
    h.store.transaction = transaction;
  }
  for (const js of [kept, alsoKept]) {
    const stored = await h.store.jobstates.get(js.id);
    assert.deepEqual([stored?.status, stored?.result], ['finished', { i: js.id }]);
    assert.equal((await h.store.runs.get(js.runId))?.status, 'finished');
  }
  const stolen = await h.store.jobstates.get(taken.id);
  assert.deepEqual([stolen?.status, stolen?.leaseOwner], ['running', 'other-node/claim']);
  assert.equal((await h.store.runs.get(taken.runId))?.status, 'running');
  // The ledger (the latest end per job and target) has one of the ends that landed, not the refused one.
  const ledger = await h.store.ledger.list({ taskId: task.id }, { limit: 10 });
  assert.equal(ledger.items.length, 1);
  assert.ok([kept.id, alsoKept.id].includes(ledger.items[0]?.jobstateId as string), JSON.stringify(ledger.items));
});
