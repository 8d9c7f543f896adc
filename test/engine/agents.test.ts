// The engine's side of agents on a fake clock: store-resolved targets, claims that refuse
// what cannot run, events under the log cap, reconciliation, expiry and agent deletion.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Agent, Jobstate } from '../../src/core/model.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/engine/context.ts';
import { makeAgent, makeCommand } from '../store/fixtures.ts';
import { type EngineHarness, startEngineHarness } from '../support/engine.ts';

const HOUR = 3_600_000;

describe('engine and agents', () => {
  let h: EngineHarness;
  let agent: Agent;
  beforeEach(async () => {
    h = await startEngineHarness({ options: { maxLogLinesPerJobstate: 3 } });
    agent = await h.store.agents.create(makeAgent(h.orgId, { tags: ['lab'], createdAt: h.clock.now() }));
    await h.store.commands.upsert(
      makeCommand(h.orgId, { name: 'hello', argv: ['echo', 'hello'], params: {}, runsOn: 'agent' }),
    );
  });
  afterEach(() => h.cleanup());

  const hello = (extra: Record<string, unknown> = {}) => ({
    name: 'hello',
    module: 'command',
    params: { command: 'hello' },
    targets: { tags: ['lab'] },
    ...extra,
  });

  async function runOf(def: Record<string, unknown>): Promise<Jobstate[]> {
    const task = await h.addTask({ schedule: { kind: 'manual' }, ...def });
    const run = await h.engine.runNow(task.id, 'tester');
    await h.settle();
    return h.store.jobstates.allOfRun(run.id);
  }

  const reload = async (js: { id: string }) => (await h.store.jobstates.get(js.id)) as Jobstate;

  test("targets resolve to the org's enabled agents; the jobstates are the agents' to run", async () => {
    const off = await h.store.agents.create(makeAgent(h.orgId, { tags: ['lab'], enabled: false }));
    const [js, ...rest] = await runOf({ jobs: [hello()] });
    assert.deepEqual(rest, []);
    assert.equal(off.enabled, false);
    assert.deepEqual([js?.agentId, js?.runner, js?.status], [agent.id, 'agent', 'prepared']);
    assert.equal(h.engine.busy, 0, 'the server executor leaves agent jobstates alone');
  });

  test('a claim hands out the rendered payload; what cannot run on the agent ends with why', async () => {
    const [ok] = await runOf({ jobs: [hello()] });
    const [work] = await h.engine.agents.claim(agent, 5);
    assert.deepEqual(work, {
      jobstate: ok?.id,
      attempt: 1,
      module: 'command',
      params: { command: 'hello', args: {} },
      payload: { command: 'hello', argv: ['echo', 'hello'], timeoutSeconds: 60 },
      timeoutSeconds: 7200,
    });
    assert.equal((await reload(ok as Jobstate)).startedAt, h.clock.now());

    const [missing] = await runOf({ jobs: [hello({ params: { command: 'not-there' } })] });
    const [lacking] = await runOf({ jobs: [hello()] });
    assert.deepEqual(await h.engine.agents.claim({ ...agent, modules: ['command'] }, 1), []);
    assert.deepEqual(await h.engine.agents.claim({ ...agent, modules: ['inventory'] }, 1), []);
    const [m, l] = [await reload(missing as Jobstate), await reload(lacking as Jobstate)];
    assert.deepEqual([m.status, m.reason], ['error', 'module_failed']);
    assert.match((m.result as { error: string }).error, /params\.command: "not-there" is not in the command catalog/);
    assert.deepEqual([l.status, l.reason], ['error', 'module_unknown']);
    assert.match((await h.store.logs.list(l.id, { limit: 5 })).items[0]?.line ?? '', /does not have module "command"/);
  });

  test('agent logs stop at the cap with one marker; times are kept between the start and now', async () => {
    const [js] = await runOf({ jobs: [hello()] });
    await h.engine.agents.claim(agent, 1);
    h.clock.advance(10_000);
    const line = (seq: number, ts: number) => ({
      seq,
      ts,
      type: 'log' as const,
      stream: 'stdout' as const,
      line: `l${seq}`,
    });
    const id = (js as Jobstate).id;
    await h.engine.agents.applyEvents(agent.id, id, 1, [line(1, 0), line(2, h.clock.now() + HOUR)]);
    await h.engine.agents.applyEvents(agent.id, id, 1, [line(3, h.clock.now() - 5_000), line(4, 0), line(5, 0)]);
    const more = await h.engine.agents.applyEvents(agent.id, id, 1, [line(6, 0)]);
    assert.deepEqual(more, { applied: 1, lastSeq: 6 });
    const logs = (await h.store.logs.list(id, { limit: 10 })).items;
    assert.deepEqual(
      logs.map((l) => l.line),
      ['l1', 'l2', 'l3', '[log truncated after 3 lines]'],
    );
    const started = (await reload(js as Jobstate)).startedAt as number;
    assert.deepEqual(
      logs.slice(0, 3).map((l) => l.ts),
      [started, h.clock.now(), h.clock.now() - 5_000],
    );
  });

  test('reconcile: a job claimed at this contact is not lost; one missing later is, and retries', async () => {
    const [js] = await runOf({ jobs: [hello({ retry: { attempts: 1, backoff: '1m' } })] });
    await h.engine.agents.claim(agent, 1);
    assert.deepEqual(await h.engine.agents.reconcile(agent.id, [], h.clock.now()), []);
    assert.equal((await reload(js as Jobstate)).status, 'running');
    h.clock.advance(1000);
    assert.deepEqual(await h.engine.agents.reconcile(agent.id, ['some-other-id'], h.clock.now()), ['some-other-id']);
    const lost = await reload(js as Jobstate);
    assert.deepEqual([lost.status, lost.reason, lost.attempt], ['waiting', 'retry_backoff', 2]);
    const logs = (await h.store.logs.list(lost.id, { limit: 5 })).items.map((l) => l.line);
    assert.match(logs[0] ?? '', /no longer runs this job/);
  });

  test("a prepared job the agent never fetches expires after the task's expireAfter, without retry", async () => {
    const [js] = await runOf({ expireAfter: '1h', jobs: [hello({ retry: { attempts: 3, backoff: '1m' } })] });
    await h.advance(HOUR - 1000);
    assert.equal((await reload(js as Jobstate)).status, 'prepared');
    await h.advance(1000);
    const expired = await reload(js as Jobstate);
    assert.deepEqual([expired.status, expired.reason, expired.attempt], ['error', 'expired', 1]);
  });

  test('a running agent job past its timeout and the grace ends timeout; its late events only go on record', async () => {
    const [js] = await runOf({ jobs: [hello({ timeout: '10m' })] });
    await h.engine.agents.claim(agent, 1);
    await h.advance(10 * 60_000 + DEFAULT_ENGINE_OPTIONS.agentGraceMs);
    assert.deepEqual(
      [(await reload(js as Jobstate)).status, (await reload(js as Jobstate)).reason],
      ['error', 'timeout'],
    );
    await h.engine.agents.applyEvents(agent.id, (js as Jobstate).id, 1, [{ seq: 1, ts: 0, type: 'finished' }]);
    assert.deepEqual(
      [(await reload(js as Jobstate)).status, (await reload(js as Jobstate)).reason],
      ['error', 'timeout'],
    );
  });

  test('deleting an agent ends its open jobstates agent_lost, without retry, then the agent', async () => {
    const jobs = await runOf({
      jobs: [hello({ retry: { attempts: 2, backoff: '1m' } }), hello({ name: 'again', startIf: 'always' })],
    });
    await h.engine.agents.claim(agent, 1);
    await h.engine.agents.deleteAgent(agent.id);
    for (const js of jobs) {
      const ended = await reload(js);
      assert.deepEqual([ended.status, ended.reason, ended.attempt], ['error', 'agent_lost', 1], js.job);
    }
    assert.equal(await h.store.agents.get(agent.id), null);
    const run = await h.store.runs.get((jobs[0] as Jobstate).runId);
    assert.equal(run?.status, 'error');
  });

  // The first events call of a job reads the copy its claim kept (HandedOut), not the store;
  // a copy gone stale changes nothing: the events' write is fenced by status, attempt, seq.
  const finished = (seq: number) => [{ seq, ts: h.clock.now(), type: 'finished' as const, result: { exitCode: 0 } }];
  const line = (seq: number) => [
    { seq, ts: h.clock.now(), type: 'log' as const, stream: 'stdout' as const, line: `line ${seq}` },
  ];

  test('a job whose run was cancelled after it was handed out: its report is refused, it stays cancelled', async () => {
    const [js] = await runOf({ jobs: [hello()] });
    const [work] = await h.engine.agents.claim(agent, 1);
    await h.engine.cancelRun((js as Jobstate).runId);
    await assert.rejects(h.engine.agents.applyEvents(agent.id, work?.jobstate as string, 1, finished(1)), {
      code: 'jobstate_ended',
    });
    const after = await reload(js as Jobstate);
    assert.deepEqual([after.status, after.result], ['cancelled', null]);
  });

  test('two events calls racing on a job just handed out: each event applied once', async () => {
    const [js] = await runOf({ jobs: [hello()] });
    await h.engine.agents.claim(agent, 1);
    // One takes the copy, the other reads the store; the seq fences them.
    const both = await Promise.all([
      h.engine.agents.applyEvents(agent.id, (js as Jobstate).id, 1, line(1)),
      h.engine.agents.applyEvents(agent.id, (js as Jobstate).id, 1, [...line(1), ...finished(2)]),
    ]);
    assert.equal(both[0].applied + both[1].applied, 2);
    const after = await reload(js as Jobstate);
    assert.deepEqual([after.status, after.eventSeq], ['finished', 2]);
    const lines = await h.store.logs.list(after.id, { limit: 10 });
    assert.deepEqual(
      lines.items.map((l) => l.line),
      ['line 1'],
    );
  });
});
