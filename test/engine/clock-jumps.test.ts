// The wall clock set forward or back while work runs (FakeClock.jump moves it alone, as
// someone setting the machine's clock would): nothing running is timed out or run again
// for it, and the jump is logged with its size. Server jobs measure their timeouts on the
// monotonic clock, across chunks; an agent job's server-side deadline keeps its length on
// a single-node store, and on a shared one (where such a jump is the database clock's own)
// the agent's report still counts.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Agent, Jobstate } from '../../src/core/model.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/engine/context.ts';
import { makeAgent, makeCommand } from '../store/fixtures.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const GRACE = DEFAULT_ENGINE_OPTIONS.agentGraceMs;

describe('clock jumps', () => {
  let h: EngineHarness;
  let warnings: string[];
  beforeEach(async () => {
    warnings = [];
    h = await startEngineHarness({ log: { warn: (message) => warnings.push(message), info: () => {} } });
  });
  afterEach(() => h.cleanup());

  const reload = async (js: { id: string }) => (await h.store.jobstates.get(js.id)) as Jobstate;
  const lines = async (js: { id: string }) => (await h.store.logs.list(js.id, { limit: 100 })).items.map((l) => l.line);

  for (const [label, jump] of [
    ['forward', 2 * HOUR],
    ['back', -2 * HOUR],
  ] as const) {
    test(`the wall clock set ${label} 2 h during a running server job: no timeout, no re-run, a warning`, async () => {
      // Two chunks of 10 min under a 30 min timeout, with a retry that a wrong timeout would use.
      const job = serverJob('noop', { chunks: 2, sleepMs: 10 * MINUTE }, { timeout: '30m', retry: { attempts: 1 } });
      const task = await h.addTask({ schedule: { kind: 'manual' }, jobs: [job] });
      const run = await h.engine.runNow(task.id, 'tester');
      await h.settle();
      const [js] = await h.store.jobstates.allOfRun(run.id);
      assert.deepEqual([js?.status, js?.attempt], ['running', 1]);

      h.clock.jump(jump);
      await h.settle();
      const after = await reload(js as Jobstate);
      assert.deepEqual([after.status, after.reason, after.attempt], ['running', null, 1], 'still the first attempt');
      assert.ok(
        warnings.some((w) => w.includes(`the clock jumped ${label} by 2h (7200000 ms)`)),
        `a warning with the jump's size: ${JSON.stringify(warnings)}`,
      );

      await h.advance(10 * MINUTE);
      await h.advance(10 * MINUTE);
      const done = await reload(js as Jobstate);
      assert.deepEqual([done.status, done.attempt, done.elapsedMs], ['finished', 1, 20 * MINUTE]);
      assert.deepEqual(await lines(js as Jobstate), ['chunk 1/2', 'chunk 2/2'], 'each chunk ran once');
      assert.equal((await h.store.runs.get(run.id))?.status, 'finished');
    });
  }

  test("a server job's timeout is its chunks' run time, measured on the monotonic clock", async () => {
    const job = serverJob('noop', { chunks: 3, sleepMs: 10 * MINUTE }, { timeout: '25m' });
    const task = await h.addTask({ schedule: { kind: 'manual' }, jobs: [job] });
    const run = await h.engine.runNow(task.id, 'tester');
    await h.settle();
    h.clock.jump(-HOUR);
    await h.advance(10 * MINUTE);
    await h.advance(10 * MINUTE);
    const [js] = await h.store.jobstates.allOfRun(run.id);
    assert.deepEqual([js?.status, js?.elapsedMs], ['running', 20 * MINUTE], 'two chunks ran, stored with the jobstate');
    await h.advance(5 * MINUTE - 1);
    assert.equal((await reload(js as Jobstate)).status, 'running');
    await h.advance(1);
    const ended = await reload(js as Jobstate);
    assert.deepEqual([ended.status, ended.reason, ended.elapsedMs], ['error', 'timeout', 25 * MINUTE]);
    assert.deepEqual(await lines(ended), ['chunk 1/3', 'chunk 2/3']);
  });

  test('a chunked job whose earlier chunks used up its timeout ends timeout without running again', async () => {
    const task = await h.addTask({
      schedule: { kind: 'manual' },
      jobs: [serverJob('noop', { chunks: 2 }, { timeout: '1m' })],
    });
    h.engine.ctx.options.executorConcurrency = 0; // nobody claims it while its past is written
    const run = await h.engine.runNow(task.id, 'tester');
    await h.settle();
    const [js] = await h.store.jobstates.allOfRun(run.id);
    assert.equal(js?.status, 'prepared');
    await h.store.jobstates.update(js!.id, { checkpoint: { done: 1 }, elapsedMs: MINUTE, updatedAt: h.clock.now() });
    h.engine.ctx.options.executorConcurrency = 4;
    await h.settle();
    const ended = await reload(js as Jobstate);
    assert.deepEqual([ended.status, ended.reason, ended.elapsedMs], ['error', 'timeout', MINUTE]);
    assert.deepEqual(await lines(ended), [], 'its second chunk never ran');
  });

  test("a claim on its way as the clock is set forward: its lease is renewed with the others, not swept as a dead node's", async () => {
    const job = serverJob('noop', { sleepMs: 10 * MINUTE }, { retry: { attempts: 1 } });
    const task = await h.addTask({ schedule: { kind: 'manual' }, jobs: [job] });
    // The claim's answer is held until the clock was set and the next pass began: the loop's
    // pass and a kick's claim run side by side on a live node.
    const claimServer = h.store.jobstates.claimServer.bind(h.store.jobstates);
    let answer = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    let reached = () => {};
    const atGate = new Promise<void>((resolve) => {
      reached = resolve;
    });
    h.store.jobstates.claimServer = async (...args) => {
      const claimed = await claimServer(...args);
      if (claimed.length > 0) {
        reached();
        await answered;
      }
      return claimed;
    };
    // The next pass's sweep reads leases only once the claim landed, whatever came before it.
    const listLeaseExpired = h.store.jobstates.listLeaseExpired.bind(h.store.jobstates);
    let jumped = false;
    h.store.jobstates.listLeaseExpired = async (...args) => {
      if (jumped) {
        await answered;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return listLeaseExpired(...args);
    };
    const run = await h.engine.runNow(task.id, 'tester');
    const claiming = h.engine.tick();
    await atGate;
    h.clock.jump(2 * HOUR);
    jumped = true;
    const next = h.engine.tick();
    setTimeout(answer, 50);
    await Promise.all([claiming, next]);
    await h.settle();
    const [js] = await h.store.jobstates.allOfRun(run.id);
    assert.deepEqual([js?.status, js?.reason, js?.attempt], ['running', null, 1], 'still its first attempt');
    await h.advance(10 * MINUTE);
    const done = await reload(js as Jobstate);
    assert.deepEqual([done.status, done.attempt], ['finished', 1]);
    assert.deepEqual(
      warnings.filter((w) => !w.includes('the clock jumped')),
      [],
      'nothing taken over, nothing discarded',
    );
  });

  describe('agent jobs', () => {
    let agent: Agent;
    beforeEach(async () => {
      agent = await h.store.agents.create(makeAgent(h.orgId, { tags: ['lab'], createdAt: h.clock.now() }));
      await h.store.commands.upsert(
        makeCommand(h.orgId, { name: 'hello', argv: ['echo', 'hello'], params: {}, runsOn: 'agent' }),
      );
    });

    async function preparedForAgent(): Promise<void> {
      const job = { name: 'hello', module: 'command', params: { command: 'hello' }, targets: { tags: ['lab'] } };
      const task = await h.addTask({
        schedule: { kind: 'manual' },
        jobs: [{ ...job, timeout: '1h', retry: { attempts: 1, backoff: '1m' } }],
      });
      await h.engine.runNow(task.id, 'tester');
      await h.settle();
    }

    async function runningOnAgent(): Promise<Jobstate> {
      await preparedForAgent();
      const [work] = await h.engine.agents.claim(agent, 1);
      assert.ok(work);
      return reload({ id: work.jobstate });
    }

    for (const [label, jump] of [
      ['forward', 2 * HOUR],
      ['back', -2 * HOUR],
    ] as const) {
      test(`the clock set ${label} 2 h while an agent job runs: it keeps its deadline, or its report counts`, async () => {
        const js = await runningOnAgent();
        h.clock.jump(jump);
        await h.settle();
        if (!h.store.capabilities.multiNode) {
          // The only node's clock is the database clock: the job's start moved with it.
          assert.equal((await reload(js)).status, 'running');
          await h.advance(HOUR + GRACE - 1000);
          assert.equal((await reload(js)).status, 'running', 'not given up before its timeout + grace');
          await h.advance(1000);
          const given = await reload(js);
          assert.deepEqual([given.status, given.reason, given.attempt], ['waiting', 'retry_backoff', 2]);
          return;
        }
        // A shared store's clock jumped: a jump forward ends the server's wait, but the agent's report still counts.
        if (jump > 0) assert.deepEqual([(await reload(js)).status, (await reload(js)).attempt], ['waiting', 2]);
        await h.engine.agents.applyEvents(agent.id, js.id, 1, [{ seq: 1, ts: h.clock.now(), type: 'finished' }]);
        const done = await reload(js);
        assert.deepEqual([done.status, done.attempt], ['finished', 1]);
        assert.deepEqual(await h.engine.agents.claim(agent, 1), [], 'nothing runs again');
      });
    }

    test('a job claimed after a jump, before the engine noticed it, keeps its deadline too', async () => {
      await preparedForAgent();
      h.clock.jump(-2 * HOUR);
      const [work] = await h.engine.agents.claim(agent, 1);
      assert.ok(work);
      assert.equal((await reload({ id: work.jobstate })).startedAt, h.clock.now(), 'stamped in the new time');
      await h.settle();
      await h.advance(HOUR + GRACE - 1000);
      assert.equal((await reload({ id: work.jobstate })).status, 'running', 'not moved a second time');
      await h.advance(1000);
      assert.equal((await reload({ id: work.jobstate })).status, 'waiting');
    });
  });
});
