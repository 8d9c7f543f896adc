import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import { DbSyncedClock, skewedClock } from '../../src/core/db-clock.ts';

/** A database whose clock is `offset` ms ahead of `base`, answering after `up` ms and replying in `down` ms. */
function fakeDatabase(base: FakeClock, state: { offset: number; up?: number; down?: number; unreachable?: boolean }) {
  let calls = 0;
  const dbNow = async () => {
    calls++;
    if (state.unreachable) throw new Error('connection refused');
    base.advance(state.up ?? 0);
    const value = base.now() + state.offset;
    base.advance(state.down ?? 0);
    return value;
  };
  return { dbNow, calls: () => calls };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('DbSyncedClock', () => {
  test('reads the database clock: base time plus the offset measured at the round trip midpoint', async () => {
    const base = new FakeClock('2026-12-01T00:00:00Z');
    const db = fakeDatabase(base, { offset: -90_000, up: 4, down: 4 });
    const clock = new DbSyncedClock(base, db.dbNow);
    assert.equal(clock.isSynced, false);
    assert.equal(clock.now(), base.now(), 'no offset before the first measurement');
    assert.equal(await clock.sync(), -90_000);
    assert.equal(clock.isSynced, true);
    assert.equal(clock.now(), base.now() - 90_000);
    base.advance(1_000);
    assert.equal(clock.now(), base.now() - 90_000, 'the offset stays between measurements');
  });

  test('an asymmetric round trip errs by at most half of it', async () => {
    const base = new FakeClock();
    const db = fakeDatabase(base, { offset: 5_000, up: 0, down: 40 });
    const clock = new DbSyncedClock(base, db.dbNow);
    const offset = await clock.sync();
    assert.ok(Math.abs(offset - 5_000) <= 20, `offset ${offset}`);
  });

  test('keeps the fastest of several round trips', async () => {
    const base = new FakeClock();
    const trips = [300, 2, 100];
    let i = 0;
    const clock = new DbSyncedClock(base, async () => {
      const trip = trips[i++ % trips.length] as number;
      const value = base.now() + 1_000 + trip; // the database answered at the end of the trip
      base.advance(trip);
      return value;
    });
    const offset = await clock.sync();
    assert.equal(offset, 1_001, 'the 2 ms round trip wins: 1000 + 2 - 2/2');
  });

  test('resyncs every resyncMs after start, keeps the last offset while the database is away, and stops', async () => {
    const base = new FakeClock();
    const state = { offset: 1_000, unreachable: false };
    const db = fakeDatabase(base, state);
    const clock = new DbSyncedClock(base, db.dbNow, 30_000);
    await clock.start();
    assert.equal(clock.offsetMs, 1_000);

    state.offset = 2_500;
    base.advance(29_999);
    await flush();
    assert.equal(clock.offsetMs, 1_000, 'not before resyncMs');
    base.advance(1);
    await flush();
    assert.equal(clock.offsetMs, 2_500);

    state.unreachable = true;
    base.advance(30_000);
    await flush();
    assert.equal(clock.offsetMs, 2_500, 'a failed measurement keeps the offset');

    state.unreachable = false;
    state.offset = 3_000;
    base.advance(30_000);
    await flush();
    assert.equal(clock.offsetMs, 3_000, 'and the next one succeeds');

    await clock.stop();
    const calls = db.calls();
    base.advance(120_000);
    await flush();
    assert.equal(db.calls(), calls, 'no measurement after stop');
    assert.equal(base.sleeping, 0);
  });

  test('start fails when the database does not answer', async () => {
    const base = new FakeClock();
    const clock = new DbSyncedClock(base, fakeDatabase(base, { offset: 0, unreachable: true }).dbNow);
    await assert.rejects(clock.start(), /connection refused/);
  });

  test('a skewed node clock synced to the database reads the database time', async () => {
    const base = new FakeClock();
    const node = skewedClock(base, 90_000);
    assert.equal(node.now(), base.now() + 90_000);
    const clock = new DbSyncedClock(node, async () => base.now());
    await clock.sync();
    assert.equal(clock.now(), base.now());
  });

  test('sleeps on the base clock', async () => {
    const base = new FakeClock();
    const clock = new DbSyncedClock(base, async () => base.now() + 60_000);
    await clock.sync();
    let woke = false;
    const sleeping = clock.sleep(100).then(() => {
      woke = true;
    });
    base.advance(99);
    await flush();
    assert.equal(woke, false);
    base.advance(1);
    await sleeping;
    assert.equal(woke, true);
  });
});

describe('DbSyncedClock and clock jumps', () => {
  test("setting the node's wall clock does not move the database time it reads", async () => {
    const base = new FakeClock();
    const db = fakeDatabase(base, { offset: 1_000 });
    const clock = new DbSyncedClock(base, db.dbNow);
    await clock.sync();
    const before = clock.now();
    base.jump(7_200_000);
    assert.equal(clock.now(), before, 'a jump of the machine clock is not the database clock');
    base.advance(500);
    assert.equal(clock.now(), before + 500, 'time passing is');
    assert.equal(clock.monotonic(), base.monotonic());
  });

  test('a jump of the base clock makes a started clock measure again at once', async () => {
    const base = new FakeClock();
    const db = fakeDatabase(base, { offset: 0 });
    const clock = new DbSyncedClock(base, db.dbNow, 30_000);
    await clock.start();
    const calls = db.calls();
    // A machine that slept an hour: its wall clock (and the database's) moved on, its monotonic clock stood still.
    base.jump(3_600_000);
    assert.equal(clock.now(), base.now() - 3_600_000, 'until measured, the monotonic time since the last one');
    await flush();
    await flush();
    assert.equal(db.calls(), calls + 3, 'measured again without waiting for resyncMs');
    assert.equal(clock.now(), base.now());
    await clock.stop();
  });
});
