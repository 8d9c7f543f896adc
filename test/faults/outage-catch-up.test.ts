// Fault: a restart after a long outage. Before: 300 tasks firing every minute, one hour
// down, wrote 17,550 `missed` rows, logged nothing, and started 150 catch-up runs within
// 3 s. Now each task gets one missed run for the outage (its count, first and last
// firing), one warning gives the totals, and the catch-up runs start at the configured
// pace (catchUpPerSecond), the engine loop waking for each slot.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Run } from '../../src/core/model.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const RATE = 10;

let h: EngineHarness | undefined;
afterEach(() => h?.cleanup());

async function allRuns(harness: EngineHarness): Promise<Run[]> {
  const runs: Run[] = [];
  let after: string | undefined;
  do {
    const page = await harness.store.runs.list({}, { after, limit: 1_000 });
    runs.push(...page.items);
    after = page.next ?? undefined;
  } while (after !== undefined);
  return runs;
}

/** The harness with `tasks` tasks firing every minute, their triggers set at T0, and a log to read. */
async function everyMinute(tasks: number, options = {}) {
  const warnings: string[] = [];
  const harness = await startEngineHarness({
    start: new Date(T0).toISOString(),
    options: { catchUpPerSecond: RATE, ...options },
    log: { warn: (message) => warnings.push(message), info: () => {} },
  });
  h = harness;
  for (let i = 0; i < tasks; i++) {
    await harness.addTask({ schedule: { kind: 'cron', expr: '* * * * *' }, jobs: [serverJob('noop')] });
  }
  await harness.settle();
  return { harness, warnings };
}

test('300 tasks every minute, the clock jumps 1 h: one missed run per task, one warning, catch-ups at 10/s', async () => {
  const { harness, warnings } = await everyMinute(300);
  harness.clock.set(T0 + 60 * MINUTE);
  await harness.settle();

  const runs = await allRuns(harness);
  const missed = runs.filter((r) => r.status === 'missed');
  assert.equal(missed.length, 300, 'one missed run per task');
  // 00:01 … 00:57 dropped, 00:58 caught up (the latest late one, misfire `once`), 00:59 and 01:00 on time.
  for (const run of missed) {
    assert.equal(run.fireAt, T0 + MINUTE);
    assert.deepEqual(run.missed, { count: 57, lastFireAt: T0 + 57 * MINUTE });
  }
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0] as string, /300 tasks missed firings/);
  assert.match(
    warnings[0] as string,
    /17100 firings dropped \(2026-12-01T00:01:00\.000Z to 2026-12-01T00:57:00\.000Z\)/,
  );
  assert.match(warnings[0] as string, /300 catch-up runs, starting at up to 10\/s until 2026-12-01T01:00:29\.900Z/);

  // The catch-ups start at the pace, second by second of the clock, never more than RATE at once.
  const catchUps = () => allRuns(harness).then((all) => all.filter((r) => r.reason === 'catch-up'));
  const startedBySecond: number[] = [];
  for (let second = 0; second < 31; second++) {
    const before = (await catchUps()).filter((r) => r.startedAt !== null).length;
    harness.clock.advance(1_000);
    await harness.settle();
    startedBySecond.push((await catchUps()).filter((r) => r.startedAt !== null).length - before);
  }
  const first = (await catchUps()).filter((r) => r.startedAt !== null).length - startedBySecond.reduce((a, b) => a + b);
  assert.ok(first <= RATE, `${first} catch-ups started at once when the clock jumped`);
  assert.ok(Math.max(...startedBySecond) <= RATE, `catch-ups started per second: ${startedBySecond.join(' ')}`);
  assert.equal((await catchUps()).filter((r) => r.startedAt !== null).length, 300, 'all caught up in the end');
});

test('the running engine loop wakes for each catch-up slot: starts come one by one, not in bursts', async () => {
  const { harness } = await everyMinute(20, { maxSleepMs: 5_000 });
  const starts: number[] = [];
  harness.engine.on((event) => {
    if (event.type === 'run' && event.run.reason === 'catch-up' && event.run.status === 'running') {
      starts.push(harness.clock.now());
    }
  });
  await harness.engine.start();
  const sleeping = async () => {
    const end = Date.now() + 5_000;
    while (harness.clock.sleeping === 0 && Date.now() < end) await sleep(1);
  };
  await sleeping();
  harness.clock.set(T0 + 60 * MINUTE);
  for (let step = 0; step < 300 && starts.length < 20; step++) {
    await sleeping();
    await sleep(5);
    harness.clock.advance(20);
  }
  assert.equal(starts.length, 20, `catch-ups started: ${starts.length}`);
  const gaps = starts.slice(1).map((at, i) => at - (starts[i] as number));
  assert.ok(
    gaps.every((gap) => gap >= 1000 / RATE && gap <= 1000 / RATE + 60),
    `gaps between catch-up starts (ms of the clock): ${gaps.join(' ')}`,
  );
});
