// The two times of a Clock: FakeClock moves them together (advance) or the wall clock alone
// (jump), and ClockJumpWatch tells a jump from time passing.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { ClockJumpWatch, describeJump, FakeClock, systemClock } from '../../src/core/clock.ts';

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('FakeClock', () => {
  test('advance moves wall and monotonic time and wakes sleepers; jump moves the wall clock alone', async () => {
    const clock = new FakeClock('2026-12-01T00:00:00Z');
    const wall = clock.now();
    let woke = false;
    void clock.sleep(1000).then(() => {
      woke = true;
    });
    clock.jump(2 * 3_600_000);
    await flush();
    assert.deepEqual([clock.now() - wall, clock.monotonic(), woke], [7_200_000, 0, false], 'a jump wakes nobody');
    clock.jump(-3 * 3_600_000);
    clock.advance(1000);
    await flush();
    assert.deepEqual([clock.now() - wall, clock.monotonic(), woke], [-3_599_000, 1000, true]);
    assert.throws(() => clock.advance(-1), /use jump\(\)/);
  });

  test('a sleep woken by time lets go of its signal; one aborted ends at once', async () => {
    const clock = new FakeClock();
    const job = new AbortController();
    // A job sleeping minute by minute on its one signal, as a chunked module does.
    for (let minute = 0; minute < 20; minute++) {
      const slept = clock.sleep(60_000, job.signal);
      clock.advance(60_000);
      await slept;
    }
    assert.equal(getEventListeners(job.signal, 'abort').length, 0);
    const cut = clock.sleep(60_000, job.signal);
    job.abort();
    await cut;
    assert.equal(clock.sleeping, 0);
  });

  test('a timer fires once its time passed; one cancelled before never fires', () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    clock.timer(1000, () => fired.push('kept'));
    const cancel = clock.timer(1000, () => fired.push('cancelled'));
    assert.equal(clock.sleeping, 2);
    cancel();
    assert.equal(clock.sleeping, 1);
    clock.advance(999);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual([fired, clock.sleeping], [['kept'], 0]);
  });
});

describe('systemClock.timer', () => {
  test('fires after its time; cancelled, it never fires', async () => {
    const fired: string[] = [];
    const started = performance.now();
    const kept = new Promise<number>((resolve) => systemClock.timer(30, () => resolve(performance.now() - started)));
    const cancel = systemClock.timer(10, () => fired.push('cancelled'));
    cancel();
    assert.ok((await kept) >= 29, 'not before its time');
    assert.deepEqual(fired, []);
  });
});

describe('ClockJumpWatch', () => {
  test('reports a jump larger than the threshold once, with its sign; time passing is no jump', () => {
    const clock = new FakeClock();
    const watch = new ClockJumpWatch(clock, 5_000);
    clock.advance(3_600_000);
    assert.equal(watch.check(), null);
    clock.jump(5_000);
    assert.equal(watch.check(), null, 'within the threshold');
    clock.jump(2_000);
    assert.equal(watch.check(), 7_000, 'the drift adds up until it is reported');
    assert.equal(watch.check(), null, 'once');
    clock.jump(-7_200_000);
    assert.equal(watch.check(), -7_200_000);
  });

  test('the system clock does not jump while it runs', () => {
    assert.equal(new ClockJumpWatch(systemClock).check(), null);
  });

  test('describeJump says the direction and the size', () => {
    assert.equal(describeJump(7_200_000), 'forward by 2h (7200000 ms)');
    assert.equal(describeJump(-7_512.4), 'back by 8s (7512 ms)');
  });
});
