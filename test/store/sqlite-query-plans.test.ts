// The plans SQLite makes of the jobstate statements the store sends: each read off an index
// (never a walk of the whole table), the partial ones (0023) where their rows are the ones
// looked for. A statement is explained with every value bound as null: a status or runner
// bound instead of written literally would then match no partial index, and show here.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Transferable, Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Store } from '../../src/core/ports/store.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { CallRecorder } from '../support/call-recorder.ts';
import { makeJobstate, seedRun, T0 } from './fixtures.ts';

/** The sources of the statements prepared during a call (each once: the store caches them). */
const prepared = new CallRecorder<string>();
/** Every statement the tests below prepared. */
const seen = new Set<string>();
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: Database.Database, source: string) {
  prepared.record(source);
  if (!source.startsWith('explain')) seen.add(source);
  return prepare.call(this, source) as never;
} as typeof prepare;

// The reads that walk a whole table go to the store's reader thread (reader-thread.ts) as text.
const postMessage = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: readonly Transferable[]) {
  const source = (message as { sql?: unknown } | null)?.sql;
  if (typeof source === 'string') prepared.record(source);
  return postMessage.call(this, message, transfer as never);
} as typeof postMessage;

let dir = '';
let store: Store;
let explainer: Database.Database;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'taskwarden-plans-'));
  store = await openSqliteStore({ file: join(dir, 'store.db') });
  await store.migrate();
  explainer = new Database(join(dir, 'store.db'), { readonly: true });
});

after(async () => {
  explainer.close();
  await store.close();
  Database.prototype.prepare = prepare;
  Worker.prototype.postMessage = postMessage;
  await rm(dir, { recursive: true, force: true });
});

/** The plan lines of each statement of `table` (jobstates) `call` prepares (nulls bound for its values). */
async function plansOf(call: () => Promise<unknown>, table = 'jobstates'): Promise<string[][]> {
  const statements = (await prepared.during(call)).filter((source) => new RegExp(`\\b${table}\\b`).test(source));
  assert.ok(statements.length > 0, `the call prepared no ${table} statement (prepared before?)`);
  return statements.map((source) => {
    const values = Array<null>((source.match(/\?/g) ?? []).length).fill(null);
    const rows = explainer.prepare(`explain query plan ${source}`).all(...values) as { detail: string }[];
    return rows.map((row) => row.detail);
  });
}

/** Every jobstates statement of `call` reads jobstates off an index, never the whole table; returns the indexes. */
async function indexesOf(call: () => Promise<unknown>): Promise<string[]> {
  const plans = await plansOf(call);
  const lines = plans.flat().filter((line) => /^(SCAN|SEARCH) jobstates\b/.test(line));
  for (const line of lines) assert.match(line, /USING (COVERING )?INDEX/, `a walk of the whole table: ${plans}`);
  return [...new Set(lines.map((line) => /INDEX (\w+)/.exec(line)?.[1] as string))].sort();
}

const PK = 'sqlite_autoindex_jobstates_1';

describe('SQLite plans of the jobstate statements', () => {
  test('the engine loop reads due, timed-out, expired and leased jobstates off their partial indexes', async () => {
    // In its order, then its run: neither the running runs first nor a sort of what is due.
    assert.deepEqual((await plansOf(() => store.jobstates.listDueWaiting(T0, 10))).flat(), [
      'SEARCH jobstates USING INDEX jobstates_waiting_due (status=? AND due_at<?)',
      'SEARCH runs USING INDEX sqlite_autoindex_runs_1 (id=?)',
    ]);
    assert.deepEqual(await indexesOf(() => store.jobstates.listTimedOut(T0, 10)), ['jobstates_running_started']);
    assert.deepEqual(await indexesOf(() => store.jobstates.shiftAgentStarts(5)), ['jobstates_running_started']);
    assert.deepEqual(await indexesOf(() => store.jobstates.listLeaseExpired(T0, 10)), ['jobstates_running_lease']);
    assert.deepEqual(await indexesOf(() => store.jobstates.listPreparedExpired(T0, 10)), ['jobstates_agent_prepared']);
    // Each of its two statuses sought with the closes passed: walked instead (one statement
    // with both statuses' OR did), the index holds every jobstate ever prepared in a window.
    const closes = (await plansOf(() => store.jobstates.listWindowClosed(T0, 10))).flat();
    const seek = 'SEARCH jobstates USING INDEX jobstates_window_close (status=? AND window_closes_at<?)';
    assert.deepEqual(
      closes.filter((line) => /^(SCAN|SEARCH) jobstates\b/.test(line)),
      [seek, seek],
    );
    assert.deepEqual(await indexesOf(() => store.jobstates.nextWakeAt(0)), [
      'jobstates_agent_prepared',
      'jobstates_running_lease',
      'jobstates_running_started',
      'jobstates_waiting_due',
      'jobstates_window_close',
    ]);
  });

  test('the server claim picks off its partial index, in claim order', async () => {
    const plans = await plansOf(() => store.jobstates.claimServer('node-a', T0, T0 + 1, 10));
    assert.deepEqual(plans.flat(), ['SCAN jobstates USING INDEX jobstates_server_claim']);
  });

  test('agents claim off the agent index, one agent or many', async () => {
    const request = (agentId: string) => ({ agentId, capacity: 1, skip: [] });
    assert.deepEqual(await indexesOf(() => store.jobstates.claimForAgents([request('a1')], T0)), [
      'jobstates_agent_claim',
    ]);
    const many = ['a1', 'a2', 'a3', 'a4', 'a5'].map(request);
    assert.deepEqual(await indexesOf(() => store.jobstates.claimForAgents(many, T0)), ['jobstates_agent_claim']);
  });

  test('a contact reads its agent’s jobstates off the agent index', async () => {
    const contacts = ['a1', 'a2', 'a3', 'a4', 'a5'];
    assert.deepEqual(await indexesOf(() => store.jobstates.listRunningOnAgents(contacts)), ['jobstates_agent_claim']);
    const running = { statuses: ['running' as const], runner: 'agent' as const };
    assert.deepEqual(await indexesOf(() => store.jobstates.listForAgent('a1', running, 10)), ['jobstates_agent_claim']);
  });

  test('renewals and batched results find their rows by id, not by walking the running ones', async () => {
    // A node's held jobstates, a batch of results: a few ids each (SQLite's planner preferred
    // the (status, started_at) index to a lookup by id from four on).
    const ids = Array.from({ length: 8 }, (_, i) => `j${i}`);
    assert.deepEqual(await indexesOf(() => store.jobstates.renewLeases('node-a', ids, T0)), [PK]);
    const patch = { status: 'finished' as const, finishedAt: T0, updatedAt: T0 };
    const rows = ids.map((id) => ({ id, patch, attempt: 1, leaseOwner: 'node-a' }));
    assert.deepEqual(await indexesOf(() => store.jobstates.updateOwned(rows, ['running'])), [PK]);
    // A batch of agents' events, each fenced by its seq.
    const ends = ids.map((id) => ({ id, patch, attempt: 1, eventSeq: 1 }));
    assert.deepEqual(await indexesOf(() => store.jobstates.updateOwned(ends, ['running'])), [PK]);
  });

  test('the metrics count jobstates by status off an index', async () => {
    const all = await plansOf(() => store.jobstates.countByStatus());
    assert.deepEqual(all.flat()[0], 'SCAN jobstates USING COVERING INDEX jobstates_run_status_job');
    const server = await plansOf(() => store.jobstates.countByStatus({ serverOnly: true }));
    assert.deepEqual(server.flat()[0], 'SCAN jobstates USING COVERING INDEX jobstates_org_module');
  });

  test('wakes, busy counts and run completion seek their run or their module', async () => {
    const run = await seedRun(store, { status: 'running' });
    await store.jobstates.insertMany([makeJobstate(run, { status: 'prepared', dueAt: T0, preparedAt: T0 })]);
    const byJob = { reason: 'waiting_previous' as const, runId: run.id, jobIndex: 1 };
    assert.deepEqual(await indexesOf(() => store.jobstates.wake(byJob, T0)), ['jobstates_run_status_job']);
    const byModule = { reason: 'postponed' as const, orgId: run.orgId, module: 'deploy' };
    assert.deepEqual(await indexesOf(() => store.jobstates.wake(byModule, T0)), ['jobstates_org_module']);
    assert.deepEqual(await indexesOf(() => store.jobstates.countBusy(run.orgId, 'deploy')), ['jobstates_org_module']);
    assert.deepEqual(await indexesOf(() => store.jobstates.countsByRun(run.id)), ['jobstates_run_status_job']);
    assert.deepEqual(await indexesOf(() => store.jobstates.allOfRun(run.id)), ['jobstates_run_status_job']);
    const ending = () => store.jobstates.endOpenOfRun(run.id, 'cancelled', 'cancelled_by_user', T0);
    assert.deepEqual(await indexesOf(ending), ['jobstates_run_status_job']);
    assert.deepEqual(await indexesOf(() => store.runs.completeIfDone(run.id, T0)), ['jobstates_run_status_job']);
  });

  test('a batch of runs completes by their ids, not by walking every run of a status or flag', async () => {
    // With a few ids, SQLite without statistics (a new database) preferred runs_join_open's
    // or runs_status_start's equality to the ids' IN list: every running run read at each
    // batch, 3 ms a call at 20,000 runs.
    for (const count of [2, 4, 16]) {
      const ids = Array.from({ length: count }, (_, i) => `r${count}-${i}`);
      const plans = await plansOf(() => store.runs.completeManyIfDone(ids, T0));
      const runLines = plans.flat().filter((line) => /^(SCAN|SEARCH) runs\b/.test(line));
      assert.deepEqual(runLines, ['SEARCH runs USING INDEX sqlite_autoindex_runs_1 (id=?)'], `${count} ids`);
    }
  });

  test("an org's agents listed by tag seek the org's tags, not every agent's", async () => {
    const list = () => store.agents.list({ orgId: 'o1', tags: ['web'] }, { limit: 10 });
    const plan = (await plansOf(list, 'agent_tags')).flat();
    assert.ok(
      plan.includes('SEARCH agent_tags USING COVERING INDEX agent_tags_org_tag (org_id=? AND tag=?)'),
      plan.join('\n'),
    );
  });

  // Last: over every statement the tests above made the store prepare.
  test('no jobstates statement planned anew binds a status or a runner where it compares one', () => {
    // Compared to a partial index's literal condition, a bound value makes SQLite prepare the
    // statement again at each run; a lookup by id alone (`where "id" = ?`) is not planned.
    const binds = (source: string) => {
      const tables = [...source.matchAll(/(?:from|join|update) "(\w+)"/g)].map((m) => m[1]);
      const column = tables.every((table) => table === 'jobstates') ? '("jobstates"\\.)?' : '"jobstates"\\.';
      const conditions = source.slice(source.indexOf(' where ')); // not an UPDATE's SET
      return new RegExp(`${column}"(status|runner)" = \\?`).test(conditions);
    };
    const planned = [...seen].filter((source) => /\bjobstates\b/.test(source) && !/ where "id" = \?/.test(source));
    assert.ok(planned.length > 20, `only ${planned.length} statements seen`);
    assert.deepEqual(planned.filter(binds), []);
  });
});
