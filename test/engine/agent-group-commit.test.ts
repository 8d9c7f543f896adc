// Agents calling at the same moment share transactions (AgentDispatch's group commit): the
// claims of fifty long-polling agents woken at once, then their fifty events calls, each
// land in a few commits, every job handed out once and every end applied once. Counts are
// of transactions and (SQLite) of commits, never of time.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Agent, Jobstate } from '../../src/core/model.ts';
import type { Store, StoreSession } from '../../src/core/ports/store.ts';
import { MAX_BATCH_LINES } from '../../src/engine/group-commit.ts';
import { makeAgent, makeCommand } from '../store/fixtures.ts';
import { type EngineHarness, startEngineHarness } from '../support/engine.ts';
import { statementCounter } from '../support/statements.ts';

const AGENTS = 50;
/** Fifty calls at once: together, or the first alone and the rest together once it is done. */
const MOST_COMMITS = 5;

interface Counter {
  transactions: number;
  /** SQLite only: COMMITs, and write statements run outside a transaction (each its own commit). */
  commits: number;
  restore(): void;
}

/** Counts the store's transactions and, on SQLite, every commit the driver makes. */
function countCommits(store: Store): Counter {
  const counter: Counter = { transactions: 0, commits: 0, restore: () => {} };
  const transaction = store.transaction.bind(store);
  store.transaction = (fn) => {
    counter.transactions++;
    return transaction(fn);
  };
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1'));
  probe.close();
  const { exec } = Database.prototype;
  const { run, all } = statement;
  Database.prototype.exec = function (this: Database.Database, sql: string) {
    if (/^\s*commit\b/i.test(sql)) counter.commits++;
    return exec.call(this, sql);
  };
  const counted = (original: (...args: unknown[]) => unknown) =>
    function (this: Database.Statement, ...args: unknown[]) {
      if (!this.readonly && !this.database.inTransaction) counter.commits++;
      return original.apply(this, args);
    };
  statement.run = counted(run);
  statement.all = counted(all);
  counter.restore = () => {
    store.transaction = transaction;
    Database.prototype.exec = exec;
    statement.run = run;
    statement.all = all;
  };
  return counter;
}

/** The jobstate reads of `store`: the number of ids each read asked for (get: 1). */
function countJobstateReads(store: Store): { calls: number[]; restore(): void } {
  const { jobstates } = store;
  const { get, getMany } = jobstates;
  const calls: number[] = [];
  jobstates.get = (id) => {
    calls.push(1);
    return get.call(jobstates, id);
  };
  jobstates.getMany = (ids) => {
    calls.push(ids.length);
    return getMany.call(jobstates, ids);
  };
  return {
    calls,
    restore: () => {
      jobstates.get = get;
      jobstates.getMany = getMany;
    },
  };
}

/** Runs `store`'s transactions over the session `over` makes of each (spies on its repos); returns the undo. */
function overTransactions(store: Store, over: (tx: StoreSession) => StoreSession): () => void {
  const transaction = store.transaction.bind(store);
  store.transaction = (fn) => transaction((tx) => fn(over(tx)));
  return () => {
    store.transaction = transaction;
  };
}

/** `call`, telling `note` of each call's arguments first. */
const spied =
  <A extends unknown[], R>(call: (...args: A) => R, note: (...args: A) => void) =>
  (...args: A): R => {
    note(...args);
    return call(...args);
  };

/** The jobstate writes made in `store`'s transactions: one row's update, or a batch's updateOwned. */
function countJobstateWrites(store: Store): { updates: number; heldWrites: number; restore(): void } {
  const seen = { updates: 0, heldWrites: 0, restore: () => {} };
  seen.restore = overTransactions(store, (tx) => ({
    ...tx,
    jobstates: {
      ...tx.jobstates,
      update: spied(tx.jobstates.update, () => seen.updates++),
      updateOwned: spied(tx.jobstates.updateOwned, () => seen.heldWrites++),
    },
  }));
  return seen;
}

/** The agent writes made in `store`'s transactions: one agent's update, or the agents of a touchContacts. */
function countAgentWrites(store: Store): { updates: number; touches: number[]; restore(): void } {
  const seen = { updates: 0, touches: [] as number[], restore: () => {} };
  seen.restore = overTransactions(store, (tx) => ({
    ...tx,
    agents: {
      ...tx.agents,
      update: spied(tx.agents.update, () => seen.updates++),
      touchContacts: spied(tx.agents.touchContacts, (ids) => seen.touches.push(ids.length)),
    },
  }));
  return seen;
}

/** The log line counts read in `store`'s transactions (the cap of events calls with lines): jobstates per read. */
function countLogCounts(store: Store): { counts: number[]; restore(): void } {
  const seen = { counts: [] as number[], restore: () => {} };
  seen.restore = overTransactions(store, (tx) => ({
    ...tx,
    logs: {
      ...tx.logs,
      count: spied(tx.logs.count, () => seen.counts.push(1)),
      countMany: spied(tx.logs.countMany, (ids) => seen.counts.push(ids.length)),
    },
  }));
  return seen;
}

/** Per transaction of `store`, the log lines it inserted. */
function linesPerTransaction(store: Store): { transactions: number[]; restore(): void } {
  const seen = { transactions: [] as number[], restore: () => {} };
  seen.restore = overTransactions(store, (tx) => {
    const at = seen.transactions.push(0) - 1;
    const appendMany = spied(tx.logs.appendMany, (appends) => {
      for (const { lines } of appends) (seen.transactions[at] as number) += lines.length;
    });
    return { ...tx, logs: { ...tx.logs, appendMany } };
  });
  return seen;
}

/** Per transaction of `store`, the order of its log and ledger inserts and of its runs' completion (which locks them). */
function orderOfWrites(store: Store): { transactions: string[][]; restore(): void } {
  const seen = { transactions: [] as string[][], restore: () => {} };
  seen.restore = overTransactions(store, (tx) => {
    const order: string[] = [];
    seen.transactions.push(order);
    // A write of nothing (an empty list) is no statement: not counted.
    const logged = <A extends [readonly unknown[], ...unknown[]], R>(what: string, call: (...args: A) => R) =>
      spied(call, (...args: A) => {
        if (args[0].length > 0) order.push(what);
      });
    return {
      ...tx,
      logs: { ...tx.logs, appendMany: logged('logs', tx.logs.appendMany) },
      ledger: { ...tx.ledger, recordMany: logged('ledger', tx.ledger.recordMany) },
      runs: { ...tx.runs, completeManyIfDone: logged('complete', tx.runs.completeManyIfDone) },
    };
  });
  return seen;
}

const sqlite = (process.env.TASKWARDEN_TEST_DB || 'sqlite') === 'sqlite';
const statements = statementCounter();

describe('agents calling at once share commits', () => {
  let h: EngineHarness;
  let agents: Agent[];
  let jobstates: Jobstate[];
  beforeEach(async () => {
    h = await startEngineHarness();
    await h.store.commands.upsert(
      makeCommand(h.orgId, { name: 'hello', argv: ['echo', 'hello'], params: {}, runsOn: 'agent' }),
    );
    agents = [];
    for (let i = 0; i < AGENTS; i++) agents.push(await h.store.agents.create(makeAgent(h.orgId, { tags: ['fleet'] })));
    const job = { name: 'hello', module: 'command', params: { command: 'hello' }, targets: { tags: ['fleet'] } };
    const task = await h.addTask({ schedule: { kind: 'manual' }, jobs: [job] });
    const run = await h.engine.runNow(task.id, 'tester');
    await h.settle();
    jobstates = await h.store.jobstates.allOfRun(run.id);
    assert.deepEqual(new Set(jobstates.map((js) => js.status)), new Set(['prepared']));
  });
  afterEach(() => h.cleanup());

  function assertFewCommits(counter: Counter, what: string) {
    assert.ok(counter.transactions <= MOST_COMMITS, `${what}: ${counter.transactions} transactions`);
    if (sqlite) assert.ok(counter.commits <= MOST_COMMITS, `${what}: ${counter.commits} commits`);
  }

  test('fifty claims at once: each agent gets its own job, once, in a few commits', async () => {
    const counter = countCommits(h.store);
    let works: Awaited<ReturnType<EngineHarness['engine']['agents']['claim']>>[];
    try {
      works = await Promise.all(agents.map((agent) => h.engine.agents.claim(agent, 5)));
    } finally {
      counter.restore();
    }
    assertFewCommits(counter, `${AGENTS} claims`);
    const byAgent = new Map(jobstates.map((js) => [js.agentId, js.id]));
    for (const [i, agent] of agents.entries()) {
      assert.deepEqual(
        works[i]?.map((w) => w.jobstate),
        [byAgent.get(agent.id)],
        `agent ${i} holds its own job and no other`,
      );
    }
    const after = await h.store.jobstates.allOfRun(jobstates[0]?.runId as string);
    assert.deepEqual(new Set(after.map((js) => js.status)), new Set(['running']));
    const again = await Promise.all(agents.map((agent) => h.engine.agents.claim(agent, 5)));
    assert.deepEqual(again.flat(), [], 'nothing is handed out twice');
  });

  test('fifty claims at once: one claim statement set per batch, not one per agent', async () => {
    // Counted inside the store's transactions (the group commit's batches): what each
    // claimed job costs afterwards (its module's payload: the command read) is not the claim's.
    const transaction = h.store.transaction.bind(h.store);
    let transactions = 0;
    h.store.transaction = (fn) => {
      transactions++;
      return transaction(async (tx) => {
        statements.counting = true;
        try {
          return await fn(tx);
        } finally {
          statements.counting = false;
        }
      });
    };
    statements.statements = 0;
    let works: Awaited<ReturnType<EngineHarness['engine']['agents']['claim']>>[];
    try {
      works = await Promise.all(agents.map((agent) => h.engine.agents.claim(agent, 5)));
    } finally {
      h.store.transaction = transaction;
    }
    assert.equal(works.flat().length, AGENTS);
    // Per batch: its claim (SQLite: pick, update, read; PostgreSQL: one statement) and
    // BEGIN/COMMIT where the driver sends them. Before: a claim per agent, 3 × 50 on SQLite.
    const report = `${statements.statements} statements in ${transactions} transactions`;
    assert.ok(transactions <= MOST_COMMITS, report);
    assert.ok(statements.statements <= 5 * transactions, report);
  });

  test('two hundred claims at once: a batch takes up to MAX_BATCH of them, in a few claims', async () => {
    for (let i = AGENTS; i < 200; i++)
      agents.push(await h.store.agents.create(makeAgent(h.orgId, { tags: ['fleet'] })));
    // Claims alone (no contact's record to write) need no transaction: each batch is one claimForAgents.
    const { jobstates: repo } = h.store;
    const claimForAgents = repo.claimForAgents;
    const batches: number[] = [];
    repo.claimForAgents = spied(claimForAgents.bind(repo), (claims) => batches.push(claims.length));
    let works: Awaited<ReturnType<EngineHarness['engine']['agents']['claim']>>[];
    try {
      works = await Promise.all(agents.map((agent) => h.engine.agents.claim(agent, 5)));
    } finally {
      repo.claimForAgents = claimForAgents;
    }
    // Fifty a batch (MAX_BATCH's old value) took four at least.
    assert.ok(batches.length <= 3, `claims per batch: ${JSON.stringify(batches)}`);
    assert.equal(
      batches.reduce((a, b) => a + b, 0),
      200,
    );
    assert.equal(works.flat().length, AGENTS, 'each of the run’s jobs handed out once');
  });

  test('events calls heavy with log lines: no batch carries more than MAX_BATCH_LINES of them', async () => {
    const works = (await Promise.all(agents.map((agent) => h.engine.agents.claim(agent, 5)))).flat();
    const LINES = 400;
    const events = (ts: number) => [
      ...Array.from({ length: LINES }, (_, i) => ({
        seq: i + 1,
        ts,
        type: 'log' as const,
        stream: 'stdout' as const,
        line: `line ${i}`,
      })),
      { seq: LINES + 1, ts, type: 'finished' as const, result: { exitCode: 0 } },
    ];
    const lines = linesPerTransaction(h.store);
    try {
      await Promise.all(
        works.map((w, i) =>
          h.engine.agents.applyEvents(agents[i]?.id as string, w.jobstate, w.attempt, events(h.clock.now())),
        ),
      );
    } finally {
      lines.restore();
    }
    const report = `lines per transaction: ${JSON.stringify(lines.transactions)}`;
    // Counted by writes alone, one batch took 49 calls: 19,600 lines in one transaction.
    assert.ok(Math.max(...lines.transactions) <= MAX_BATCH_LINES, report);
    assert.equal(
      lines.transactions.reduce((a, b) => a + b, 0),
      AGENTS * LINES,
      report,
    );
    const runId = jobstates[0]?.runId as string;
    assert.equal((await h.store.runs.get(runId))?.status, 'finished');
    for (const js of await h.store.jobstates.allOfRun(runId))
      assert.equal((await h.store.logs.list(js.id, { limit: LINES + 1 })).items.length, LINES);
  });

  test("fifty contacts due for their record: every agent's lastContactAt in one write per batch, not one each", async () => {
    const writes = countAgentWrites(h.store);
    const at = h.clock.now();
    const stops = agents.map(() => new AbortController());
    let works: Awaited<ReturnType<EngineHarness['engine']['agents']['claim']>>[];
    try {
      const claims = agents.map((agent, i) => h.engine.agents.claim(agent, 5, { touchAt: at, stop: stops[i]?.signal }));
      // A contact gone before its batch still called: its record is written with the others'.
      stops[0]?.abort();
      works = await Promise.all(claims);
    } finally {
      writes.restore();
    }
    assert.equal(works.flat().length, AGENTS - 1);
    assert.equal(writes.updates, 0, 'no update of one agent');
    assert.ok(writes.touches.length <= MOST_COMMITS, `touches: ${JSON.stringify(writes.touches)}`);
    assert.equal(
      writes.touches.reduce((a, b) => a + b, 0),
      AGENTS,
    );
    for (const agent of agents) assert.equal((await h.store.agents.get(agent.id))?.lastContactAt, at);
  });

  test('a contact gone before its batch claims nothing; the batch claims for the others', async () => {
    const stops = agents.map(() => new AbortController());
    const claims = agents.map((agent, i) => h.engine.agents.claim(agent, 5, { stop: stops[i]?.signal }));
    // Every fifth contact goes away once its claim is asked for, before its batch runs.
    for (const [i, stop] of stops.entries()) if (i % 5 === 0) stop.abort();
    const works = await Promise.all(claims);
    const byAgent = new Map(jobstates.map((js) => [js.agentId, js]));
    for (const [i, agent] of agents.entries()) {
      const own = byAgent.get(agent.id) as Jobstate;
      const expected = i % 5 === 0 ? [] : [own.id];
      assert.deepEqual(
        works[i]?.map((w) => w.jobstate),
        expected,
        `agent ${i}`,
      );
      assert.equal((await h.store.jobstates.get(own.id))?.status, i % 5 === 0 ? 'prepared' : 'running');
    }
  });

  test('fifty contacts at once: what runs on their agents read in one statement, each agent told only of its own', async () => {
    const works = await Promise.all(agents.map((agent) => h.engine.agents.claim(agent, 5)));
    const { jobstates: repo } = h.store;
    const read = repo.listRunningOnAgents;
    const reads: number[] = [];
    repo.listRunningOnAgents = (agentIds) => {
      reads.push(agentIds.length);
      return read.call(repo, agentIds);
    };
    const contactAt = h.clock.now() + 1;
    let stops: string[][];
    try {
      // Each lists its own job; the first also names its neighbour's, which it does not run.
      stops = await Promise.all(
        agents.map((agent, i) => {
          const own = works[i]?.map((w) => w.jobstate) ?? [];
          return h.engine.agents.reconcile(
            agent.id,
            i === 0 ? [...own, ...(works[1]?.map((w) => w.jobstate) ?? [])] : own,
            contactAt,
          );
        }),
      );
    } finally {
      repo.listRunningOnAgents = read;
    }
    assert.deepEqual(reads, [AGENTS]);
    assert.deepEqual(
      stops[0],
      works[1]?.map((w) => w.jobstate),
      'a job of another agent is to be stopped',
    );
    assert.deepEqual(new Set(stops.slice(1).map((ids) => ids.length)), new Set([0]));
    const after = await h.store.jobstates.allOfRun(jobstates[0]?.runId as string);
    assert.deepEqual(new Set(after.map((js) => js.status)), new Set(['running']), 'nothing ended: each runs its own');
  });

  test('fifty events calls at once: every end applied once, the run closed, in a few commits', async () => {
    const works = (await Promise.all(agents.map((agent) => h.engine.agents.claim(agent, 5)))).flat();
    assert.equal(works.length, AGENTS);
    const finished = (seq: number) => [
      { seq, ts: h.clock.now(), type: 'log' as const, stream: 'stdout' as const, line: 'hello' },
      { seq: seq + 1, ts: h.clock.now(), type: 'finished' as const, result: { exitCode: 0 } },
    ];
    const counter = countCommits(h.store);
    const reads = countJobstateReads(h.store);
    const writes = countJobstateWrites(h.store);
    const logCounts = countLogCounts(h.store);
    const order = orderOfWrites(h.store);
    let applied: { applied: number; lastSeq: number }[];
    try {
      applied = await Promise.all(
        works.map((w, i) => h.engine.agents.applyEvents(agents[i]?.id as string, w.jobstate, w.attempt, finished(1))),
      );
    } finally {
      counter.restore();
      reads.restore();
      writes.restore();
      logCounts.restore();
      order.restore();
    }
    // A batch's held lines and ledger entries are written before it locks its runs to complete them.
    for (const writes of order.transactions.filter((one) => one.includes('complete')))
      assert.deepEqual(
        writes.slice(writes.indexOf('complete')),
        ['complete'],
        `in a transaction: ${writes.join(', ')}`,
      );
    // Each call's log cap counts its jobstate's lines: together, one read per batch, not fifty.
    assert.ok(logCounts.counts.length <= MOST_COMMITS, `log counts: ${JSON.stringify(logCounts.counts)}`);
    assert.equal(
      logCounts.counts.reduce((a, b) => a + b, 0),
      AGENTS,
    );
    // The ends, each fenced by its seq, are held and written in one UPDATE per batch: not fifty.
    assert.ok(writes.updates + writes.heldWrites <= MOST_COMMITS, `jobstate writes: ${JSON.stringify(writes)}`);
    // Handed out a moment ago, the jobstates are the claim's copies (HandedOut): no read.
    assert.deepEqual(reads.calls, [], 'no jobstate read back');
    assertFewCommits(counter, `${AGENTS} events calls`);
    assert.deepEqual(
      new Set(applied.map((a) => JSON.stringify(a))),
      new Set([JSON.stringify({ applied: 2, lastSeq: 2 })]),
    );
    const runId = jobstates[0]?.runId as string;
    const after = await h.store.jobstates.allOfRun(runId);
    assert.deepEqual(new Set(after.map((js) => js.status)), new Set(['finished']));
    assert.equal((await h.store.runs.get(runId))?.status, 'finished');
    for (const js of after)
      assert.deepEqual(
        (await h.store.logs.list(js.id, { limit: 10 })).items.map((l) => l.line),
        ['hello'],
      );
    // A resend of the same batch (its reply was lost) is a duplicate: nothing applied twice.
    // Its copies taken, each call reads the store. Read together, the calls reach the group
    // commit in one turn: on PostgreSQL, fifty reads of their own came back over the pool
    // in waves, each wave a transaction.
    const rereads = countJobstateReads(h.store);
    const resent = await Promise.all(
      works.map((w, i) => h.engine.agents.applyEvents(agents[i]?.id as string, w.jobstate, w.attempt, finished(1))),
    ).finally(() => rereads.restore());
    assert.deepEqual(new Set(resent.map((a) => a.applied)), new Set([0]));
    assert.deepEqual(rereads.calls, [AGENTS], 'the fifty jobstates read in one statement');
  });

  test('a resend with the end racing the batch it repeats: every event applied once', async () => {
    const works = (await Promise.all(agents.map((agent) => h.engine.agents.claim(agent, 5)))).flat();
    const ts = h.clock.now();
    const first = [
      { seq: 1, ts, type: 'progress' as const, percent: 50 },
      { seq: 2, ts, type: 'log' as const, stream: 'stdout' as const, line: 'hello' },
    ];
    const resent = [...first, { seq: 3, ts, type: 'finished' as const, result: { exitCode: 0 } }];
    // Both in one group-commit batch: the one that lands second finds the seq moved (its
    // fenced update, the seq move with the end, is refused) and applies only what is new.
    const applied = await Promise.all(
      works.flatMap((w, i) => [
        h.engine.agents.applyEvents(agents[i]?.id as string, w.jobstate, w.attempt, first),
        h.engine.agents.applyEvents(agents[i]?.id as string, w.jobstate, w.attempt, resent),
      ]),
    );
    for (let i = 0; i < applied.length; i += 2) {
      const pair = applied.slice(i, i + 2);
      const total = pair.reduce((sum, a) => sum + a.applied, 0);
      assert.equal(total, 3, `call pair ${i / 2}: ${JSON.stringify(pair)}`);
    }
    for (const js of await h.store.jobstates.allOfRun(jobstates[0]?.runId as string)) {
      assert.equal(js.status, 'finished');
      assert.equal(js.progress?.percent, 50);
      const lines = (await h.store.logs.list(js.id, { limit: 10 })).items.map((l) => l.line);
      assert.deepEqual(lines, ['hello'], 'the log line once');
    }
  });

  test('a refused call in a batch refuses only itself', async () => {
    const works = (await Promise.all(agents.map((agent) => h.engine.agents.claim(agent, 5)))).flat();
    const done = [{ seq: 1, ts: h.clock.now(), type: 'finished' as const, result: { exitCode: 0 } }];
    const outcomes = await Promise.allSettled(
      works.map((w, i) =>
        // Every tenth call names an attempt that is not the current one.
        h.engine.agents.applyEvents(
          agents[i]?.id as string,
          w.jobstate,
          i % 10 === 0 ? w.attempt + 1 : w.attempt,
          done,
        ),
      ),
    );
    for (const [i, outcome] of outcomes.entries()) {
      if (i % 10 === 0) assert.equal(outcome.status, 'rejected', `call ${i} is refused`);
      else assert.equal(outcome.status, 'fulfilled', `call ${i} is applied`);
    }
    const after = await h.store.jobstates.allOfRun(jobstates[0]?.runId as string);
    assert.equal(after.filter((js) => js.status === 'finished').length, AGENTS - AGENTS / 10);
  });
});
