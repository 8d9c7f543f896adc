// Late joiners in the engine on a fake clock (issue 15, part 3): a run whose job says
// `targets.lateJoin` takes agents that match later, once each, under the job's delay; it
// ends only when every jobstate ended AND the window passed. Runs on SQLite, and on
// PostgreSQL with TASKWARDEN_TEST_DB=postgres.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Agent, Jobstate } from '../../src/core/model.ts';
import { makeAgent, makeCommand } from '../store/fixtures.ts';
import { type EngineHarness, startEngineHarness } from '../support/engine.ts';

const HOUR = 3_600_000;

describe('late joiners', () => {
  let h: EngineHarness;
  let first: Agent;
  beforeEach(async () => {
    h = await startEngineHarness({ start: '2026-12-01T00:00:00Z' });
    first = await h.store.agents.create(makeAgent(h.orgId, { tags: ['accounting'], createdAt: h.clock.now() }));
    await h.store.commands.upsert(
      makeCommand(h.orgId, { name: 'hello', argv: ['echo', 'hello'], params: {}, runsOn: 'agent' }),
    );
  });
  afterEach(() => h.cleanup());

  const hello = (targets: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    name: 'hello',
    module: 'command',
    params: { command: 'hello' },
    targets,
    ...extra,
  });

  async function startRun(jobs: unknown[]) {
    const task = await h.addTask({ schedule: { kind: 'manual' }, jobs });
    const run = await h.engine.runNow(task.id, 'tester');
    await h.settle();
    return run.id;
  }

  /** The agent claims and finishes what it is given. */
  async function finishAll(agent: Agent): Promise<number> {
    const work = await h.engine.agents.claim(agent, 10);
    for (const w of work) {
      await h.engine.agents.applyEvents(agent.id, w.jobstate, w.attempt, [
        { seq: 1, ts: h.clock.now(), type: 'finished' },
      ]);
    }
    await h.settle();
    return work.length;
  }

  const ofRun = (runId: string): Promise<Jobstate[]> => h.store.jobstates.allOfRun(runId);

  test('an agent enrolled after the run started joins it once; the run ends when its window passed', async () => {
    const runId = await startRun([hello({ tags: ['accounting'], lateJoin: '7d' })]);
    assert.equal(await finishAll(first), 1);
    let run = await h.store.runs.get(runId);
    assert.equal(run?.status, 'running', 'every jobstate ended, but the window is open');
    assert.equal(run?.joinUntil, Date.parse('2026-12-08T00:00:00Z'));

    h.clock.advance(HOUR);
    const late = await h.store.agents.create(makeAgent(h.orgId, { tags: ['accounting'], createdAt: h.clock.now() }));
    assert.equal(await h.engine.joinLate(late.id), 1);
    assert.equal(await h.engine.joinLate(late.id), 0, 'joining again adds nothing');
    const joined = (await ofRun(runId)).filter((js) => js.agentId === late.id);
    assert.deepEqual(
      joined.map((js) => js.status),
      ['prepared'],
    );
    assert.equal(await h.store.lateJoin.joinedCount(runId), 1);
    assert.equal(await finishAll(late), 1);

    // An agent of another tag never joins.
    const other = await h.store.agents.create(makeAgent(h.orgId, { tags: ['lab'], createdAt: h.clock.now() }));
    assert.equal(await h.engine.joinLate(other.id), 0);

    h.clock.set('2026-12-07T23:59:00Z');
    await h.settle();
    assert.equal((await h.store.runs.get(runId))?.status, 'running');
    h.clock.set('2026-12-08T00:00:00Z');
    await h.settle();
    run = await h.store.runs.get(runId);
    assert.equal(run?.status, 'finished', 'the window passed with every jobstate ended');
    // After the window, a new agent joins nothing.
    const after = await h.store.agents.create(makeAgent(h.orgId, { tags: ['accounting'], createdAt: h.clock.now() }));
    assert.equal(await h.engine.joinLate(after.id), 0);
  });

  test('a run with no target yet waits for its window instead of ending no_targets; a tag change joins', async () => {
    const runId = await startRun([hello({ tags: ['newcomers'], lateJoin: '2h' })]);
    assert.equal((await h.store.runs.get(runId))?.status, 'running');
    await h.store.agents.update(first.id, { tags: ['accounting', 'newcomers'] });
    assert.equal(await h.engine.joinLate(first.id), 1);
    h.clock.advance(3 * HOUR);
    await h.settle();
    assert.equal((await h.store.runs.get(runId))?.status, 'running', 'the window passed, a jobstate is still open');
    assert.equal(await finishAll(first), 1);
    assert.equal((await h.store.runs.get(runId))?.status, 'finished');
  });

  test('a late joiner keeps the run’s delays: its delayed job is due at run start + delay', async () => {
    const runId = await startRun([
      hello({ tags: ['accounting'], lateJoin: '1d' }),
      hello({ tags: ['accounting'], lateJoin: '1d' }, { name: 'later', delay: '2h' }),
    ]);
    h.clock.advance(HOUR);
    const late = await h.store.agents.create(makeAgent(h.orgId, { tags: ['accounting'], createdAt: h.clock.now() }));
    assert.equal(await h.engine.joinLate(late.id), 2);
    const mine = (await ofRun(runId)).filter((js) => js.agentId === late.id).sort((a, b) => a.jobIndex - b.jobIndex);
    assert.equal(mine[0]?.status, 'prepared');
    assert.deepEqual([mine[1]?.status, mine[1]?.dueAt], ['waiting', Date.parse('2026-12-01T02:00:00Z')]);
  });

  test('concurrent joins of one agent add its jobstate once (unique per run, job, agent)', async () => {
    const runId = await startRun([hello({ all: true, lateJoin: '1d' })]);
    const late = await h.store.agents.create(makeAgent(h.orgId, { tags: [], createdAt: h.clock.now() }));
    const joins = await Promise.all(Array.from({ length: 6 }, () => h.engine.joinLate(late.id)));
    assert.equal(
      joins.reduce((a, b) => a + b, 0),
      1,
    );
    assert.equal((await ofRun(runId)).filter((js) => js.agentId === late.id).length, 1);
    // The database refuses a second one even when asked directly.
    const [mine] = (await ofRun(runId)).filter((js) => js.agentId === late.id);
    const again = await h.store.transaction((tx) => tx.lateJoin.insert([{ ...(mine as Jobstate), id: 'another-id' }]));
    assert.deepEqual(again, []);
  });

  test('lateJoin is refused on server targets and beyond 90 days, naming the field', async () => {
    await assert.rejects(
      async () =>
        h.addTask({ jobs: [{ name: 'n', module: 'noop', params: {}, targets: { server: true, lateJoin: '1d' } }] }),
      /jobs\[0\]\.targets\.lateJoin: is for agent targets/,
    );
    await assert.rejects(
      async () => h.addTask({ jobs: [hello({ tags: ['x'], lateJoin: '91d' })] }),
      /jobs\[0\]\.targets\.lateJoin: must be at most 90d/,
    );
    await assert.rejects(
      async () => h.addTask({ jobs: [hello({ tags: ['x'], lateJoin: 'soon' })] }),
      /jobs\[0\]\.targets\.lateJoin/,
    );
  });
});
