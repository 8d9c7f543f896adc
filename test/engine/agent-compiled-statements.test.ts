// What an agent's contact and events cost kysely, counted (never timed): once a store has
// compiled its hot statements (src/store/sql/compiled.ts), a contact that claims a job and
// the events call that ends it build and compile no query anew, on the store
// TASKWARDEN_TEST_DB names (the server harness takes it from openTestStore, so this file
// also runs on PostgreSQL). Building and compiling was 13–16 % of the server's CPU in the
// fleet bench; before, each of the ~15 statements of a jobstate was compiled per call.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DefaultQueryCompiler } from 'kysely';
import { type AgentServer, echoJob, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';

/** Agents (one jobstate each) measured after the first one's pair compiled what it needs. */
const AGENTS = 12;
/**
 * A statement compiled more often than this in the window is compiled per call. The engine
 * loop's own statements (still built per pass) compile at a few wakes: the run's end, not
 * the jobstates' (the loop sleeps up to a minute here, so no pass is timer-driven).
 */
const MOST_PER_STATEMENT = 3;

/** Counts the SQL texts kysely compiles (both dialects' compilers derive from DefaultQueryCompiler) while `counting`. */
function compileCounter() {
  const counter = { counting: false, bySql: new Map<string, number>(), restore: () => {} };
  const compile = DefaultQueryCompiler.prototype.compileQuery;
  DefaultQueryCompiler.prototype.compileQuery = function (this: DefaultQueryCompiler, ...args) {
    const compiled = compile.apply(this, args);
    if (counter.counting) counter.bySql.set(compiled.sql, (counter.bySql.get(compiled.sql) ?? 0) + 1);
    return compiled;
  };
  counter.restore = () => {
    DefaultQueryCompiler.prototype.compileQuery = compile;
  };
  return counter;
}

let s: AgentServer;
before(async () => {
  s = await startAgentServer({ maxSleepMs: 60_000 });
});
after(() => s.cleanup());

test(`${AGENTS} contacts that claim and events calls that end: no statement compiled per call`, async () => {
  const agents: TestAgent[] = [];
  for (let i = 0; i <= AGENTS; i++) agents.push(await s.enrol());
  const taskId = await s.task({ concurrency: 'allow', jobs: [echoJob('say', { agents: agents.map((a) => a.id) })] });
  const runId = await s.run(taskId);
  await s.until(async () => {
    const all = await s.store.jobstates.allOfRun(runId);
    return all.length === agents.length && all.every((js) => js.status === 'prepared');
  }, 'every jobstate prepared');
  const pair = async (agent: TestAgent) => {
    const job = await agent.takeOne();
    await agent.finish(job.jobstate, job.attempt, true);
  };
  const [first, ...measured] = agents as [TestAgent, ...TestAgent[]];
  await pair(first);
  const counter = compileCounter();
  counter.counting = true;
  try {
    for (const agent of measured) await pair(agent);
  } finally {
    counter.restore();
  }
  const ended = await s.store.jobstates.allOfRun(runId);
  assert.deepEqual(new Set(ended.map((js) => js.status)), new Set(['finished']), 'every job ran and ended');
  const repeated = [...counter.bySql].filter(([, n]) => n > MOST_PER_STATEMENT);
  const total = [...counter.bySql.values()].reduce((a, b) => a + b, 0);
  assert.deepEqual(
    repeated.map(([sql, n]) => `${n}× ${sql.slice(0, 120)}`),
    [],
    `statements compiled per call (${total} compiles for ${measured.length} pairs)`,
  );
});
