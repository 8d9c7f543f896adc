// Thousands of recurring schedules loaded through POST /api/v1/tasks:batch, under a fake
// clock: each fires once, at its own time, and its trigger moves on to its next firing.
// Runs on PostgreSQL too (TASKWARDEN_TEST_DB=postgres).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeClock } from '../../src/core/clock.ts';
import { MAX_BATCH_TASKS } from '../../src/protocol/tasks.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

const TASKS = 5_000;
/** Distinct firing instants, a minute apart: TASKS / INSTANTS tasks fire at each. */
const INSTANTS = 50;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-12-01T00:00:00Z');
/** Real time a step may take on a loaded machine before the test gives up. */
const STEP_LIMIT_MS = 120_000;

const firstFiring = (i: number) => T0 + MINUTE * (1 + (i % INSTANTS));

let h: ServerHarness;
let clock: FakeClock;
before(async () => {
  clock = new FakeClock(T0);
  h = await startServerHarness({ clock });
});
after(() => h?.cleanup());

test(`${TASKS} recurring schedules loaded by the batch route each fire once, at their time`, async () => {
  const orgId = (await h.createOrg('acme')).id;
  // A job for a tag no agent has: the run is what is measured here, not its jobs.
  const defs = Array.from({ length: TASKS }, (_, i) => ({
    name: `sched-${i}`,
    schedule: { kind: 'interval', every: '1h', start: new Date(firstFiring(i)).toISOString() },
    jobs: [{ name: 'inventory', module: 'inventory', targets: { tags: ['nobody'] } }],
  }));
  const ids: string[] = [];
  for (let at = 0; at < TASKS; at += MAX_BATCH_TASKS) {
    const tasks = defs.slice(at, at + MAX_BATCH_TASKS);
    const reply = await h.expect(201, 'POST', `/api/v1/tasks:batch?org=${orgId}`, { body: { tasks } });
    ids.push(...reply.json.items.map((t: { id: string }) => t.id));
  }
  const indexOf = new Map(ids.map((id, i) => [id, i]));

  /** Each task's fire times, as the engine announced its runs. */
  const fired = new Map<string, Set<number>>();
  let firings = 0;
  h.engine.on((e) => {
    if (e.type !== 'run' || e.run.reason !== 'schedule') return;
    const ofTask = fired.get(e.run.taskId) ?? new Set<number>();
    fired.set(e.run.taskId, ofTask);
    if (!ofTask.has(e.run.fireAt)) firings++;
    ofTask.add(e.run.fireAt);
  });

  for (let step = 1; step <= INSTANTS; step++) {
    clock.set(T0 + step * MINUTE);
    const want = (TASKS / INSTANTS) * step;
    const giveUpAt = Date.now() + STEP_LIMIT_MS;
    // A loop whose pass straddled the move sleeps on the fake clock until it moves again:
    // time goes on by small steps while the test waits, as a real clock's would.
    while (firings < want && Date.now() < giveUpAt) {
      const before = firings;
      await sleep(50);
      if (firings === before) clock.advance(10);
    }
    assert.equal(firings, want, `firings by ${new Date(clock.now()).toISOString()}`);
  }
  // The last instant's pass may still be under way: let it end before looking for extras.
  clock.advance(MINUTE - 1_000);
  await sleep(200);

  assert.equal(fired.size, TASKS, 'every task fired');
  for (const [taskId, ofTask] of fired) {
    const i = indexOf.get(taskId) as number;
    assert.deepEqual([...ofTask], [firstFiring(i)], `task ${i} fired once, at its first firing`);
  }
  for (const i of [0, INSTANTS - 1, TASKS - 1]) {
    assert.equal((await h.store.triggers.get(ids[i] as string))?.nextFireAt, firstFiring(i) + HOUR);
  }
});
