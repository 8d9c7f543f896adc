// A jobstate's end wakes its run's next job (waiting_previous) unless its task says for
// sure there is none (runs.ts mayHaveNextJob): a task edited while its run is under way
// keeps the run's own jobs, so the run's second job is still woken at once after the task
// lost it. Runs on SQLite, and on PostgreSQL with TASKWARDEN_TEST_DB=postgres.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { makeAgent, makeCommand } from '../store/fixtures.ts';
import { type EngineHarness, startEngineHarness } from '../support/engine.ts';

let h: EngineHarness;
beforeEach(async () => {
  h = await startEngineHarness();
  await h.store.commands.upsert(
    makeCommand(h.orgId, { name: 'hello', argv: ['echo', 'hello'], params: {}, runsOn: 'agent' }),
  );
});
afterEach(() => h.cleanup());

test('the next job of a run is woken when its job ends, though its task was edited down to one job meanwhile', async () => {
  const agent = await h.store.agents.create(makeAgent(h.orgId, { tags: ['fleet'] }));
  const job = (name: string) => ({
    name,
    module: 'command',
    params: { command: 'hello' },
    targets: { tags: ['fleet'] },
  });
  const def = { name: 'two-jobs', schedule: { kind: 'manual' }, jobs: [job('first'), job('second')] };
  const task = await h.addTask(def);
  const run = await h.engine.runNow(task.id, 'tester');
  await h.settle();
  const [first] = await h.engine.agents.claim(agent, 1);
  assert.ok(first, 'the first job is handed out');
  const edited = readTaskDef({ ...def, jobs: [job('first')] }, { modules: h.engine.ctx.modules, defaultTz: 'UTC' });
  assert.equal((await h.engine.updateTask(task.id, edited, 'tester')).task.version, 2);
  await h.engine.agents.applyEvents(agent.id, first.jobstate, first.attempt, [
    { seq: 1, ts: h.clock.now(), type: 'finished' },
  ]);
  await h.settle(); // no time passes: only the wake can prepare the second job
  const second = (await h.store.jobstates.allOfRun(run.id)).find((js) => js.jobIndex === 1);
  assert.equal(second?.status, 'prepared', `the second job is ${second?.status} (${second?.reason})`);
});
