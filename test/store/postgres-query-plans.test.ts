// The plans PostgreSQL makes of the batch statements that find their rows by id, on a new
// database: before autovacuum's first ANALYZE it knows no column's values, and a status the
// statement names could lead it to read every row of that status off a partial index.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { newId } from '../../src/core/ids.ts';
import type { Jobstate } from '../../src/core/model.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { openPostgresStore } from '../../src/store/postgres/store.ts';
import { CallRecorder } from '../support/call-recorder.ts';
import { postgresForFile } from '../support/postgres.ts';
import { makeAgent, makeJobstate, makeRun, seedRun, seedTask, T0 } from './fixtures.ts';

const postgres = postgresForFile();

/** The statements (text and values) sent during a call. */
const sent = new CallRecorder<{ text: string; values: unknown[] }>();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, config: unknown, values?: unknown, callback?: unknown) {
  const statement =
    typeof config === 'string' ? { text: config, values } : (config as { text?: unknown; values?: unknown });
  if (typeof statement.text === 'string' && Array.isArray(statement.values) && statement.values.length > 0)
    sent.record({ text: statement.text, values: statement.values });
  return (query as (...args: unknown[]) => unknown).call(this, config, values, callback);
} as typeof query;
after(() => {
  pg.Client.prototype.query = query;
});

/** The plan of each statement with parameters `call` sends that matches `pattern`, as one text each. */
async function plansOf(url: string, pattern: RegExp, call: () => Promise<unknown>): Promise<string[]> {
  const statements = (await sent.during(call)).filter((statement) => pattern.test(statement.text));
  assert.ok(statements.length > 0, `no statement matching ${pattern}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const plans = [];
    for (const { text, values } of statements) {
      const { rows } = await client.query(`explain ${text}`, values);
      plans.push(rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n'));
    }
    return plans;
  } finally {
    await client.end();
  }
}

/** ANALYZE of every table: the statistics PostgreSQL plans with from then on. */
async function analyze(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

/**
 * A migrated store whose 1,000 agents have 10,000 ended jobstates, analysed (the statistics
 * see none in `status`), then one jobstate each in `status`: a fleet's history, and a run.
 */
async function withAgentHistory(status: 'prepared' | 'running', body: (store: Store, url: string) => Promise<void>) {
  await withRunning(0, async (store, url) => {
    const run = await seedRun(store, { status: 'running' });
    const agentJob = (agent: number, over: Partial<Jobstate>) =>
      makeJobstate(run, { runner: 'agent', agentId: `agent-${agent}`, preparedAt: T0, startedAt: T0, ...over });
    const ended = Array.from({ length: 10_000 }, (_, i) => agentJob(i % 1_000, { status: 'finished', jobIndex: 1 }));
    for (let i = 0; i < ended.length; i += 1_000) await store.jobstates.insertMany(ended.slice(i, i + 1_000));
    await analyze(url);
    await store.jobstates.insertMany(Array.from({ length: 1_000 }, (_, i) => agentJob(i, { status })));
    await body(store, url);
  });
}

/** A migrated store on a new database, with `running` leased jobstates of one run. */
async function withRunning(running: number, body: (store: Store, url: string, ids: string[]) => Promise<void>) {
  const url = await postgres.database();
  const store = await openPostgresStore({ url, poolSize: 2 });
  try {
    await store.migrate();
    const run = await seedRun(store, { status: 'running' });
    const lease = { status: 'running' as const, leaseOwner: 'node-a', leaseExpiresAt: T0 + 60_000, startedAt: T0 };
    const jobstates = Array.from({ length: running }, (_, i) => makeJobstate(run, { ...lease, jobIndex: i }));
    for (let i = 0; i < jobstates.length; i += 500) await store.jobstates.insertMany(jobstates.slice(i, i + 500));
    await body(
      store,
      url,
      jobstates.map((js) => js.id),
    );
  } finally {
    await store.close();
  }
}

describe('PostgreSQL plans of the batch statements, before any ANALYZE', () => {
  test('a batch of results finds its jobstates by id, not by walking the running ones', async () => {
    await withRunning(3_000, async (store, url, ids) => {
      const patch = { status: 'finished' as const, finishedAt: T0, updatedAt: T0 };
      const rows = ids.slice(0, 8).map((id) => ({ id, patch, attempt: 1, leaseOwner: 'node-a' }));
      const [plan] = await plansOf(url, /^update "jobstates"/, () => store.jobstates.updateOwned(rows, ['running']));
      assert.match(plan ?? '', /jobstates_pkey/);
      assert.doesNotMatch(plan ?? '', /jobstates_running_lease|jobstates_running_started/);
    });
  });

  test('an agents’ claim is one statement for a batch’s 500 agents, and seeks each agent’s prepared jobstates, though the statistics saw none prepared', async () => {
    await withAgentHistory('prepared', async (store, url) => {
      const requests = Array.from({ length: 500 }, (_, i) => ({ agentId: `agent-${i}`, capacity: 10, skip: [] }));
      let claimed: Jobstate[][] = [];
      const claims = await plansOf(url, /^with "picked"/, async () => {
        claimed = await store.jobstates.claimForAgents(requests, T0 + 1);
      });
      // The lists travel as arrays: no round of 256 agents, one after the other in the batch's transaction.
      assert.equal(claims.length, 1, 'claim statements');
      assert.deepEqual(
        claimed.map((jobs) => jobs.map((js) => js.agentId)),
        requests.map((request) => [request.agentId]),
      );
      const [claim] = claims;
      // Not every agent's prepared jobstates walked in claim order for each agent.
      assert.match(claim ?? '', /jobstates_agent_claim/);
      assert.doesNotMatch(claim ?? '', /jobstates_agent_prepared|jobstates_claim_order/);
      const [expiry] = await plansOf(url, /^select/, () => store.jobstates.listPreparedExpired(T0, 10));
      assert.match(expiry ?? '', /jobstates_agent_prepared/);
      const [server] = await plansOf(url, /^with "picked"/, () =>
        store.jobstates.claimServer('node-a', T0, T0 + 1, 10),
      );
      assert.match(server ?? '', /jobstates_server_claim/);
    });
  });

  test('a contact’s read of its agents’ running jobstates seeks each agent, though the statistics saw none running', async () => {
    await withAgentHistory('running', async (store, url) => {
      const agents = Array.from({ length: 100 }, (_, i) => `agent-${i}`);
      let read = new Map<string, unknown[]>();
      const [plan] = await plansOf(url, /\bjobstates\b/, async () => {
        read = await store.jobstates.listRunningOnAgents(agents);
      });
      assert.match(plan ?? '', /Index Scan using jobstates_agent_status/);
      // Not every running jobstate read for each call, or for each agent.
      assert.doesNotMatch(plan ?? '', /jobstates_running_started|Hash/);
      assert.deepEqual(
        [...read.values()].map((rows) => rows.length),
        agents.map(() => 1),
      );
    });
  });

  test('a run’s targets by tag seek each tagged agent by its key, not the org’s agents for each', async () => {
    await withRunning(0, async (store, url) => {
      const org = await store.orgs.create({ id: newId(), name: 'fleet', createdAt: T0 });
      const other = await store.orgs.create({ id: newId(), name: 'other', createdAt: T0 });
      const agent = (orgId: string, i: number) => makeAgent(orgId, { deviceId: `pc-${i}`, tags: ['fleet'] });
      const fleet = Array.from({ length: 1_000 }, (_, i) => agent(org.id, i));
      await store.transaction(async (tx) => {
        for (const one of [...fleet, agent(other.id, 0)]) await tx.agents.create(one);
      });
      let targets: string[] = [];
      const [plan] = await plansOf(url, /^select "id"(, "org_id")? from "agents"/, async () => {
        targets = await store.agents.resolveTargets(org.id, { tags: ['fleet'] });
      });
      assert.match(plan ?? '', /Index Scan using agents_pkey/);
      // Not the org's 1,000 agents read again for each of its 1,000 tagged agents.
      assert.doesNotMatch(plan ?? '', /agents_org/);
      assert.deepEqual(targets, fleet.map((one) => one.id).sort());
    });
  });

  test('a batch of runs completes by their ids, asking each for its own open jobstates', async () => {
    await withRunning(0, async (store, url) => {
      // 2,000 running runs of one task, each with a running jobstate; 8 of them whose jobstate ended.
      const task = await seedTask(store);
      const runs = Array.from({ length: 2_000 }, (_, i) => makeRun(task, { status: 'running', fireKey: `k${i}` }));
      await store.runs.insertMany(runs);
      const ending = new Set(runs.slice(0, 8).map((run) => run.id));
      const jobstates = runs.map((run) => makeJobstate(run, { status: ending.has(run.id) ? 'finished' : 'running' }));
      for (let i = 0; i < jobstates.length; i += 500) await store.jobstates.insertMany(jobstates.slice(i, i + 500));
      const [plan] = await plansOf(url, /^update "runs"/, () => store.runs.completeManyIfDone([...ending], T0));
      assert.match(plan ?? '', /Index Scan on runs_pkey|Index Scan using runs_pkey/);
      // Not every open jobstate read (a status walk, then an anti-join in memory).
      assert.doesNotMatch(plan ?? '', /Materialize|Seq Scan on jobstates/);
    });
  });
});
