// Nodes wake each other through PostgreSQL NOTIFY: work one node creates is picked up by
// another at once rather than at its next poll, and an agent long-polling one node hears
// of work another node prepared for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../src/core/clock.ts';
import { claimOrWait } from '../../src/server/agent-contact.ts';
import { LocalAgentWaiters } from '../../src/server/agent-waiters.ts';
import { makeAgent } from '../store/fixtures.ts';
import { postgresForFile } from '../support/postgres.ts';
import { type Author, openAuthor, openEngine } from './support.ts';

const postgres = postgresForFile();
/** Far longer than any wait below: only a wake can explain a quick reaction. */
const POLL_MS = 120_000;
/** Wakes in a row, and the most each may take (the long poll waits 30 s: only a lost wake comes near). */
const WAKES = 1000;
const WAKE_MS = 5_000;

/**
 * An inventory agent and a manual task for it. Each run now is a run of its own (allow):
 * the agent only takes its jobs and never ends them, so an open run must not turn the next
 * one into a skipped overlap.
 */
async function agentWithTask(author: Author) {
  const agent = await author.store.agents.create(makeAgent(author.orgId, { modules: ['inventory'] }));
  const task = await author.addTask({
    schedule: { kind: 'manual' },
    concurrency: 'allow',
    jobs: [{ name: 'inventory', module: 'inventory', targets: { agents: [agent.id] } }],
  });
  return { agent, task };
}

test('a run created on one node is run at once by another that polls only every 2 minutes', async () => {
  const url = await postgres.database({ migrated: true });
  const author = await openAuthor(url);
  const { store, engine: worker } = await openEngine(url, { maxSleepMs: POLL_MS });
  try {
    const task = await author.addTask({
      schedule: { kind: 'manual' },
      jobs: [{ name: 'noop', module: 'noop', targets: { server: true } }],
    });
    await worker.start(); // resolves once its LISTEN is in place (StoreSignals.ready)
    const started = Date.now();
    const first = await author.engine.runNow(task.id, null);
    const run = await worker.waitForRun(first.id, 10_000);
    assert.equal(run.status, 'finished');
    assert.ok(Date.now() - started < POLL_MS / 4, 'woken, not polled');
    const again = await author.engine.runNow(task.id, null);
    assert.equal((await worker.waitForRun(again.id, 5_000)).status, 'finished', 'and the next one too');
  } finally {
    await worker.stop(0);
    await store.close();
    await author.close();
  }
});

test('an agent long-polling one node is woken by work another node prepared for it', async () => {
  const url = await postgres.database({ migrated: true });
  const author = await openAuthor(url);
  const { store, engine: contactNode } = await openEngine(url);
  const waiters = new LocalAgentWaiters(contactNode, systemClock);
  try {
    const { agent, task } = await agentWithTask(author);
    await store.signals?.ready();
    const waiter = waiters.listen(agent.id);
    try {
      const run = await author.engine.runNow(task.id, null);
      await author.engine.tick(); // prepares the agent's jobstate, on the author's node only
      const [js] = await author.store.jobstates.allOfRun(run.id);
      assert.equal(js?.status, 'prepared');
      const before = Date.now();
      await waiter.wait(10_000, new AbortController().signal);
      assert.ok(Date.now() - before < 5_000, 'woken, not timed out');
    } finally {
      waiter.close();
    }
  } finally {
    waiters.close();
    await store.close();
    await author.close();
  }
});

test('1,000 wakes in a row: work prepared on one node reaches the agent long-polling another at once, every time', async () => {
  const url = await postgres.database({ migrated: true });
  const author = await openAuthor(url);
  const { store, engine: contactNode } = await openEngine(url);
  const waiters = new LocalAgentWaiters(contactNode, systemClock);
  const deps = { engine: contactNode, clock: systemClock, waiters };
  const never = new AbortController().signal;
  try {
    const { agent, task } = await agentWithTask(author);
    /** Prepares one job on the author's node while the agent long-polls (30 s) this one; ms until it holds it. */
    const wake = async (): Promise<number> => {
      const polling = claimOrWait(deps, agent, { capacity: 1, waitSeconds: 30, holding: [] }, never);
      const started = Date.now();
      await author.engine.runNow(task.id, null);
      await author.engine.tick();
      const jobs = await polling;
      assert.equal(jobs.length, 1, 'the long poll ended with the job, not empty');
      return Date.now() - started;
    };
    await store.signals?.ready(); // as the server does before it listens: no wake goes unheard from here on
    const slowest = { ms: 0, at: -1 };
    for (let i = 0; i < WAKES; i++) {
      const ms = await wake();
      if (ms > slowest.ms) Object.assign(slowest, { ms, at: i });
      assert.ok(ms < WAKE_MS, `wake ${i} took ${ms} ms: it waited for the long poll's end`);
    }
    console.log(`slowest of ${WAKES} cross-node wakes: ${slowest.ms} ms (#${slowest.at})`);
  } finally {
    waiters.close();
    await store.close();
    await author.close();
  }
});

test('a contact on one node joins at once a late-join run another node opened, though its org was quiet', async () => {
  const url = await postgres.database({ migrated: true });
  const author = await openAuthor(url);
  const { store, engine: contactNode } = await openEngine(url, { maxSleepMs: POLL_MS });
  try {
    const agent = await author.store.agents.create(
      makeAgent(author.orgId, { modules: ['inventory'], tags: ['sales'] }),
    );
    await contactNode.start(); // resolves once its LISTEN is in place
    assert.equal(await contactNode.joinLate(agent), 0, 'nothing open: the org is quiet (join-hint.ts)');
    const task = await author.addTask({
      schedule: { kind: 'manual' },
      jobs: [{ name: 'inventory', module: 'inventory', targets: { tags: ['accounting'], lateJoin: '1d' } }],
    });
    await author.engine.runNow(task.id, null);
    await author.engine.tick(); // the run starts and opens its window, on the author's node only
    // Tagged behind both engines' backs: only a contact's look at the open runs joins it.
    await author.store.agents.update(agent.id, { tags: ['accounting'] });
    const until = Date.now() + 10_000;
    let joined = await contactNode.joinLate(agent);
    while (joined === 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      joined = await contactNode.joinLate(agent);
    }
    assert.equal(joined, 1, 'joined well before the recheck (2 min): the other node’s signal');
  } finally {
    await contactNode.stop(0);
    await store.close();
    await author.close();
  }
});
