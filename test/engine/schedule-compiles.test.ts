// A minute of a server watching many recurring schedules, under a fake clock: the firings'
// own statements (claim the due triggers, read their tasks and active runs, insert the run
// and its jobstate, move the trigger on, read the next firing's time) are compiled once per
// store (src/store/sql/compiled.ts), not built and compiled by kysely at every pass and
// firing. Counted, never timed; runs on PostgreSQL too (TASKWARDEN_TEST_DB=postgres).
// Before: each of them was compiled at every firing (about 16 in the minute here), and the
// trigger reads at every pass.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DefaultQueryCompiler } from 'kysely';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const TASKS = 1_000;
const HOUR = 3_600_000;
/** Real time a step may take on a loaded machine. */
const LIMIT_MS = 30_000;
/** The firings' statements, as both dialects compile them. */
const FIRING_STATEMENTS = [
  /^select \* from "triggers" where "next_fire_at" <=/,
  /^select min\("next_fire_at"\)/,
  /^insert into "triggers"/,
  /^select \* from "tasks" where "id" in/,
  /^select \* from "runs" where "task_id" in/,
  /^insert into "runs"/,
  /^insert into "jobstates"/,
];

let h: EngineHarness;
let start: number;
/** Runs fired by the schedules so far. */
let fired = 0;
before(async () => {
  h = await startEngineHarness();
  start = h.clock.now();
  h.engine.on((e) => {
    if (e.type === 'run' && e.run.reason === 'schedule' && e.run.status === 'running') fired++;
  });
});
after(() => h?.cleanup());

/** Firings due by the fake clock's now: task i first fires at start + 1 min + i × HOUR / TASKS. */
const dueBy = (now: number) => Math.max(0, Math.min(TASKS, Math.floor(((now - start - 60_000) * TASKS) / HOUR) + 1));

async function settled(): Promise<void> {
  const giveUpAt = Date.now() + LIMIT_MS;
  while (fired < dueBy(h.clock.now()) || h.clock.sleeping === 0 || h.engine.busy > 0) {
    if (Date.now() > giveUpAt) throw new Error(`fired ${fired} of ${dueBy(h.clock.now())} within ${LIMIT_MS} ms`);
    await sleep(5);
  }
}

test(`${TASKS} hourly schedules: a minute of firings compiles each of their statements once`, async () => {
  const defs = Array.from({ length: TASKS }, (_, i) =>
    readTaskDef(
      {
        name: `hourly-${i}`,
        schedule: { kind: 'interval', every: '1h', start: new Date(start + 60_000 + (i * HOUR) / TASKS).toISOString() },
        jobs: [serverJob('noop')],
      },
      { modules: createModuleRegistry(builtinModules({ testModules: true })), defaultTz: 'UTC' },
    ),
  );
  await h.engine.createTasks(h.orgId, defs, 'tester');
  // Every compilation from the engine's start on: a firing statement compiled twice was built
  // again. (Its first compilation may come in the watched minute: a batch of two firings is
  // a list shape a batch of one did not need.)
  const compiles = new Map<string, number>();
  const compile = DefaultQueryCompiler.prototype.compileQuery;
  DefaultQueryCompiler.prototype.compileQuery = function (this: DefaultQueryCompiler, ...args) {
    const compiled = compile.apply(this, args);
    compiles.set(compiled.sql, (compiles.get(compiled.sql) ?? 0) + 1);
    return compiled;
  };
  let firedBefore = 0;
  try {
    h.engine.start();
    // Up to the first firings, then a minute of them.
    for (let t = 0; t < 130; t += 1) {
      if (t === 70) firedBefore = fired;
      h.clock.advance(1_000);
      await settled();
    }
  } finally {
    DefaultQueryCompiler.prototype.compileQuery = compile;
  }
  assert.ok(fired - firedBefore >= 10, `firings in the minute: ${fired - firedBefore}`);
  const again = [...compiles].filter(([sql, times]) => times > 1 && FIRING_STATEMENTS.some((re) => re.test(sql)));
  assert.deepEqual(again, [], 'firing statements compiled more than once');
});
