// Where rows lock (PostgreSQL), a group commit sends its next batch while one is still
// waiting for the database, up to COMMITS_IN_FLIGHT at once: a batch held open does not
// hold up the writes made after it. Without row locks (SQLite, one writer at a time) the
// next batch waits for it. A batch takes up to MAX_BATCH writes there, MAX_BATCH_ROUND_TRIPS
// where each statement is a round trip. Runs on both stores (TASKWARDEN_TEST_DB).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Jobstate } from '../../src/core/model.ts';
import type { UnitOfWork } from '../../src/engine/context.ts';
import {
  COMMITS_IN_FLIGHT,
  endOf,
  GroupCommit,
  MAX_BATCH,
  MAX_BATCH_ROUND_TRIPS,
} from '../../src/engine/group-commit.ts';
import { endJobstate } from '../../src/engine/outcomes.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

let h: EngineHarness;
before(async () => {
  h = await startEngineHarness();
});
after(() => h?.cleanup());

/** A write that starts its batch's transaction, then holds it until `release`. */
function heldWrite() {
  let release!: () => void;
  let began!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const started = new Promise<void>((resolve) => (began = resolve));
  const write = async () => {
    began();
    await gate;
    return true;
  };
  return { write, started, release };
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

test("batches commit at once up to the store's bound, the next write waits for one of them", async () => {
  const commits = new GroupCommit(h.engine.ctx);
  const inFlight = h.store.capabilities.rowLocks ? COMMITS_IN_FLIGHT : 1;
  const held = Array.from({ length: inFlight }, heldWrite);
  const landed: Promise<boolean>[] = [];
  // Each held write is made once the previous one's transaction began: a batch of its own,
  // open while the previous ones are.
  for (const one of held) {
    landed.push(commits.write(one.write));
    assert.equal(await settlesWithin(one.started, 5_000), true, `batch ${landed.length} began`);
  }
  const next = commits.write(async () => true);
  assert.equal(await settlesWithin(next, 300), false, 'the next write waits while the bound is reached');
  held[0]?.release();
  assert.equal(await settlesWithin(next, 5_000), true, 'the next write goes once a batch ended');
  for (const one of held) one.release();
  assert.deepEqual(await Promise.all(landed), Array(inFlight).fill(true));
});

test("writes made together go in batches of the store's size: large where statements are round trips", async () => {
  const commits = new GroupCommit(h.engine.ctx);
  const size = h.store.capabilities.roundTrips ? MAX_BATCH_ROUND_TRIPS : MAX_BATCH;
  const writes = 300;
  let transactions = 0;
  const transaction = h.store.transaction.bind(h.store);
  h.store.transaction = (fn) => {
    transactions++;
    return transaction(fn);
  };
  try {
    const landed = await Promise.all(Array.from({ length: writes }, () => commits.write(async () => true)));
    assert.equal(landed.length, writes);
  } finally {
    h.store.transaction = transaction;
  }
  assert.equal(transactions, Math.ceil(writes / size), `${writes} writes in batches of ${size}`);
});

// A batch locks the runs its ends may complete once its writes are made, just before it
// reads whether they did (GroupCommit): a batch still under way holds up no other batch
// ending a jobstate of the same run, and whichever commits last completes the run.
test('a batch under way does not hold up another ending a jobstate of its run; the run completes once both ended', async () => {
  const task = await h.addTask({
    schedule: { kind: 'manual' },
    concurrency: 'allow',
    jobs: [serverJob('noop'), serverJob('noop', {}, { name: 'then' })],
  });
  const run = await h.engine.runNow(task.id, null);
  const now = h.clock.now();
  const owner = 'test-node/claim';
  const [first] = await h.store.jobstates.claimServer(owner, now, now + 60_000, 10);
  const { items } = await h.store.jobstates.listByRun(run.id, { limit: 10 });
  const second = items.find((js) => js.id !== first?.id);
  assert.ok(first && second, 'two jobstates');
  // The second job as if started too: both are the run's last jobs under way.
  const started = { status: 'running', leaseOwner: owner, leaseExpiresAt: now + 60_000, startedAt: now } as const;
  assert.ok(await h.store.jobstates.update(second.id, { ...started, updatedAt: now }));
  const fence = { status: ['running' as const], leaseOwner: owner };
  const end = (js: Jobstate) => (uow: UnitOfWork) => endJobstate(h.engine.ctx, uow, js, { ok: true }, fence);

  const commits = new GroupCommit(h.engine.ctx);
  const underWay = heldWrite();
  const firstLanded = commits.write(async (uow) => (await underWay.write()) && end({ ...first, ...started })(uow), {
    ends: endOf(first),
  });
  assert.equal(await settlesWithin(underWay.started, 5_000), true, 'the first batch began');
  const secondLanded = commits.write(end({ ...second, ...started }), { ends: endOf(second) });
  if (h.store.capabilities.rowLocks) {
    assert.equal(await settlesWithin(secondLanded, 5_000), true, 'the second batch committed meanwhile');
    assert.equal((await h.store.runs.get(run.id))?.status, 'running', 'its first job still runs');
  } else {
    assert.equal(await settlesWithin(secondLanded, 300), false, 'one writer: the second batch waits');
  }
  underWay.release();
  assert.deepEqual(await Promise.all([firstLanded, secondLanded]), [true, true]);
  const ended = await h.store.jobstates.listByRun(run.id, { limit: 10 });
  assert.deepEqual(
    ended.items.map((js) => js.status),
    ['finished', 'finished'],
  );
  assert.equal((await h.store.runs.get(run.id))?.status, 'finished');
});
