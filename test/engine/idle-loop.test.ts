// An idle engine under a fake clock works only at the instants something is due: with
// schedules due in an hour and nothing else, a simulated minute costs the node heartbeats
// and, where this node is the store's only writer (SQLite), one safety pass; where other
// nodes write the same store (PostgreSQL) the safety pass stays the maxSleepMs poll behind
// their wakes. The heartbeats keep their cadence (a node is shown alive by them).
// Counted (driver statements, sweeps), never timed. Runs on PostgreSQL too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/engine/context.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';
import { statementCounter } from '../support/statements.ts';

const counter = statementCounter();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Real time a condition may take on a loaded machine. */
const LIMIT_MS = 30_000;

let h: EngineHarness;
/** Full passes (each sweeps lost leases once) and the node's heartbeats. */
const seen = { full: 0, beats: 0 };

before(async () => {
  h = await startEngineHarness();
  const { jobstates, nodes } = h.store;
  const listLeaseExpired = jobstates.listLeaseExpired.bind(jobstates);
  jobstates.listLeaseExpired = (...args) => {
    seen.full++;
    return listLeaseExpired(...args);
  };
  const heartbeat = nodes.heartbeat.bind(nodes);
  nodes.heartbeat = (...args) => {
    seen.beats++;
    return heartbeat(...args);
  };
});
after(() => h?.cleanup());

/** Waits (real time) until the loop sleeps on the fake clock and no statement went out for a while. */
async function quiet(): Promise<void> {
  const giveUpAt = Date.now() + LIMIT_MS;
  for (let before = -1; before !== counter.statements || h.clock.sleeping === 0; ) {
    if (Date.now() > giveUpAt) throw new Error(`the engine did not come to rest: ${JSON.stringify(seen)}`);
    before = counter.statements;
    await sleep(50);
  }
}

/** Moves the fake clock by `ms` in steps of a second, the engine coming to rest after each. */
async function pass(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 1_000) {
    h.clock.advance(1_000);
    await quiet();
  }
}

test('an idle minute with schedules due in an hour: heartbeats and one safety pass, nothing else', async () => {
  const start = h.clock.now();
  for (let i = 0; i < 20; i++) {
    const first = new Date(start + HOUR + i * 1_000).toISOString();
    await h.addTask({ schedule: { kind: 'interval', every: '1d', start: first }, jobs: [serverJob('noop')] });
  }
  await h.engine.start();
  counter.counting = true;
  await quiet();
  // A minute and a second: a safety pass falls due within it, whatever the phase.
  await pass(MINUTE);
  const before = { ...seen, statements: counter.statements };
  await pass(MINUTE);
  const minute = { full: seen.full - before.full, beats: seen.beats - before.beats };
  const statements = counter.statements - before.statements;
  const report = JSON.stringify({ ...minute, statements });
  console.log(`an idle minute: ${report}`);

  const { maxSleepMs, safetyPassMs, leaseMs } = DEFAULT_ENGINE_OPTIONS;
  const safetyMs = h.store.capabilities.multiNode ? maxSleepMs : safetyPassMs;
  // Before: a full pass every maxSleepMs (12 a minute) on every store.
  assert.ok(minute.full <= Math.ceil(MINUTE / safetyMs), `full passes: ${report}`);
  // The loop wakes for the heartbeats alone: a node counts as alive while its last one is within leaseMs.
  const beatsPerMinute = MINUTE / (leaseMs / 6);
  assert.ok(Math.abs(minute.beats - beatsPerMinute) <= 1, `heartbeats: ${report}`);
  // A heartbeat is a statement or two (an upsert); a full pass
  // about twenty (sweeps, empty firing and advance transactions, and one read of the next
  // due times: five before). Before: 276 on SQLite (12 full passes and their reads).
  const perFull = 25;
  assert.ok(statements <= minute.beats * 2 + minute.full * perFull, `statements: ${report}`);
});
