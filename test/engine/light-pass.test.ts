// The engine's loop under a fake clock: it sleeps until the next firing (no pass before),
// the pass a firing wakes it for fires and reads the next firing's time, nothing else (no
// sweep of the other tables), and a full pass still comes at most maxSleepMs after the
// last one. Counts passes through the store reads they make, never times.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const MAX_SLEEP_MS = 60_000;
/** Real time a condition may take on a loaded machine. */
const LIMIT_MS = 30_000;

let h: EngineHarness;
/** Passes (each reads the next firing's time once) and full passes (each sweeps lost leases once). */
const seen = { passes: 0, full: 0 };

before(async () => {
  h = await startEngineHarness({ options: { maxSleepMs: MAX_SLEEP_MS } });
  const { triggers, jobstates } = h.store;
  const nextFireAt = triggers.nextFireAt.bind(triggers);
  triggers.nextFireAt = () => {
    seen.passes++;
    return nextFireAt();
  };
  const listLeaseExpired = jobstates.listLeaseExpired.bind(jobstates);
  jobstates.listLeaseExpired = (...args) => {
    seen.full++;
    return listLeaseExpired(...args);
  };
});
after(() => h?.cleanup());

async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const giveUpAt = Date.now() + LIMIT_MS;
  while (!(await done())) {
    if (Date.now() > giveUpAt) throw new Error(`no ${what} within ${LIMIT_MS} ms: ${JSON.stringify(seen)}`);
    await sleep(5);
  }
}

/** The loop asleep on the fake clock, nothing running, and no pass for a while of real time. */
async function asleep(): Promise<void> {
  for (let before = -1; before !== seen.passes; ) {
    before = seen.passes;
    await until('sleeping loop', () => h.clock.sleeping > 0 && h.engine.busy === 0);
    await sleep(50);
  }
}

const firedRuns = async () => (await h.store.runs.list({ orgId: h.orgId }, { limit: 100 })).items.length;

test('the loop sleeps until the next firing, and the firing pass sweeps nothing else', async () => {
  const start = h.clock.now();
  const every = 10_000;
  await h.addTask({
    schedule: { kind: 'interval', every: '10s', start: new Date(start + every).toISOString() },
    concurrency: 'allow',
    jobs: [serverJob('noop')],
  });
  h.engine.start();
  await asleep();
  const atRest = { ...seen };
  assert.ok(atRest.full >= 1, 'the first pass is a full one');

  // Up to the firing: no pass at all.
  for (let t = 1; t < every / 1_000; t++) {
    h.clock.advance(1_000);
    await asleep();
  }
  assert.deepEqual(seen, atRest, 'no pass before the firing is due');

  // The firing: one light pass (before: every pass swept leases, timeouts, windows, joins).
  for (let firing = 1; firing <= 3; firing++) {
    h.clock.advance(every - (firing === 1 ? 9_000 : 0));
    await until(`firing ${firing}`, async () => (await firedRuns()) === firing);
    await asleep();
    assert.equal(seen.full, atRest.full, `firing ${firing}: no sweep`);
  }
  assert.ok(seen.passes > atRest.passes);

  // A full pass still comes once maxSleepMs went by since the last one.
  h.clock.advance(MAX_SLEEP_MS - 2 * every);
  await until('a full pass at the cap', () => seen.full > atRest.full);
});
