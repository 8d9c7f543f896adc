// What one agent request costs the store, counted (never timed), on the store
// TASKWARDEN_TEST_DB names: a contact that claims a job (its contact record due), an
// events call with progress, the events call that ends the job (started + finished), and
// an idle contact. Requests go one at a time, so each pays its own group-commit turn: a
// contact's record shares its claim's transaction, a contact looks for late-join runs only
// when its org may have one open, and a one-job task's end wakes no next job.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { type AgentServer, echoJob, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';
import { statementCounter } from '../support/statements.ts';

const AGENTS = 20;
const counter = statementCounter();

/** Counts the store's transactions (each a group-commit turn of the agents' writes, or a read-only one). */
function countTransactions(store: Store): { transactions: number; restore(): void } {
  const transaction = store.transaction.bind(store);
  const counted = { transactions: 0, restore: () => (store.transaction = transaction) };
  store.transaction = (fn) => {
    counted.transactions++;
    return transaction(fn);
  };
  return counted;
}

/** Past the contact record's throttle (5 s): the next contact touches lastContactAt again. */
const LATER_MS = 60_000;
const clock = new FakeClock();
let s: AgentServer;
let agents: TestAgent[];
before(async () => {
  s = await startAgentServer({ clock });
  agents = [];
  for (let i = 0; i < AGENTS; i++) agents.push(await s.enrol({ tags: ['fleet'] }));
  // Their first contact records their version and modules (a change: written at once).
  for (const agent of agents) assert.deepEqual((await agent.take({ capacity: 0 })).jobs, []);
  const taskId = await s.task({ jobs: [echoJob('echo', { tags: ['fleet'] })] });
  const runId = await s.run(taskId);
  await s.until(async () => {
    const jobstates = await s.store.jobstates.allOfRun(runId);
    return jobstates.length === AGENTS && jobstates.every((js) => js.status === 'prepared');
  }, 'every jobstate is prepared');
  // Nothing but the requests counted: the engine's loop passes (every 200 ms here) would blur the counts.
  await s.engine.stop(0);
  clock.advance(LATER_MS);
});
after(() => s.cleanup());

/** Runs `request` for each agent in turn; returns its statements and transactions per request. */
async function perRequest(request: (agent: TestAgent) => Promise<void>): Promise<{ statements: number; tx: number }> {
  const transactions = countTransactions(s.store);
  counter.statements = 0;
  counter.counting = true;
  try {
    for (const agent of agents) await request(agent);
  } finally {
    counter.counting = false;
    transactions.restore();
  }
  return { statements: counter.statements / AGENTS, tx: transactions.transactions / AGENTS };
}

test('a contact that claims, a progress report, the events call that ends the job, an idle contact: statements per request', async () => {
  const jobs = new Map<TestAgent, { jobstate: string; attempt: number }>();
  // The contact record (lastContactAt) is due on each of these contacts.
  const claiming = await perRequest(async (agent) => {
    jobs.set(agent, await agent.takeOne({ capacity: 1 }));
  });
  // A progress report: its seq and its progress are one fenced update of the jobstate.
  const progress = await perRequest(async (agent) => {
    const job = jobs.get(agent) as { jobstate: string; attempt: number };
    const reply = await agent.events(job.jobstate, job.attempt, [
      { seq: ++agent.seq, ts: clock.now(), type: 'progress', percent: 50 },
    ]);
    assert.equal(reply.status, 200, JSON.stringify(reply.json));
  });
  const events = await perRequest(async (agent) => {
    const job = jobs.get(agent) as { jobstate: string; attempt: number };
    await agent.finish(job.jobstate, job.attempt, true, { exitCode: 0 });
  });
  const idle = await perRequest(async (agent) => {
    assert.deepEqual((await agent.take({ capacity: 1 })).jobs, []);
  });
  const report = JSON.stringify({ claiming, progress, events, idle });
  console.log(`statements per agent request: ${report}`);
  for (const agent of agents) {
    const stored = await s.store.agents.get(agent.id);
    assert.equal(stored?.lastContactAt, clock.now(), 'the contact record landed');
  }
  const ended = await Promise.all([...jobs.values()].map((job) => s.store.jobstates.get(job.jobstate)));
  assert.deepEqual(new Set(ended.map((js) => js?.status)), new Set(['finished']));
  // One transaction per claiming contact: its record and its claim (before: one each); none for an idle one.
  assert.ok(claiming.tx <= 1, `transactions per claiming contact: ${report}`);
  assert.equal(idle.tx, 0, `transactions per idle contact: ${report}`);
  // Measured (SQLite / PostgreSQL), before → now: claiming 12.05 → 9.05 / 10 → 7.05 (its
  // record's BEGIN/COMMIT, the late-join read); events 10.05 → 9.1 → 8.1 / 11 → 10.05 →
  // 9.05 (the wake of a next job a one-job task has not; the seq move and the end in one
  // fenced update); progress 6 → 5 / 6 → 5 (the seq move and the progress in one); idle
  // 6 → 5 → 3 / 6 → 5 → 3 (the late-join read; then a claim with nothing else to write
  // takes no BEGIN/COMMIT: claimForAgents is atomic alone, and an empty SQLite pick needs
  // no transaction).
  const most = s.store.capabilities.multiNode
    ? { claiming: 7.2, progress: 5, events: 9.1, idle: 3 }
    : { claiming: 9.1, progress: 5, events: 8.2, idle: 3 };
  assert.ok(claiming.statements <= most.claiming, `statements per claiming contact: ${report}`);
  assert.ok(progress.statements <= most.progress, `statements per progress call: ${report}`);
  assert.ok(events.statements <= most.events, `statements per events call: ${report}`);
  assert.ok(idle.statements <= most.idle, `statements per idle contact: ${report}`);
});
