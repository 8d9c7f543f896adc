// Staged rollouts on a fake clock: waves open in order once the earlier ones ended and the
// pause passed; past maxFailures the run halts with nothing more started; resume and
// promote open the next wave on an operator's word. Runs on SQLite and, with
// TASKWARDEN_TEST_DB=postgres, on PostgreSQL.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { TaskwardenError } from '../../src/core/errors.ts';
import type { Agent, Jobstate } from '../../src/core/model.ts';
import { makeAgent } from '../store/fixtures.ts';
import { type EngineHarness, startEngineHarness } from '../support/engine.ts';
import { byWave, fleetStep } from '../support/rollout.ts';

const MINUTE = 60_000;
let h: EngineHarness;
let agents: Agent[];
afterEach(() => h?.cleanup());

/** Ten agents pc-00..pc-09 tagged `fleet` (created in reverse, so name order is not creation order). */
async function setup(): Promise<void> {
  h = await startEngineHarness({ modules: [fleetStep] });
  agents = [];
  for (let i = 9; i >= 0; i--) {
    agents.push(
      await h.store.agents.create(makeAgent(h.orgId, { name: `pc-0${i}`, tags: ['fleet'], createdAt: h.clock.now() })),
    );
  }
}

const nameOf = (id: string | null) => agents.find((a) => a.id === id)?.name ?? 'server';
const agentNamed = (name: string) => agents.find((a) => a.name === name)?.id as string;

async function startRollout(rollout: Record<string, unknown>, fail: string[] = []) {
  const task = await h.addTask({
    schedule: { kind: 'manual' },
    concurrency: 'allow',
    rollout,
    jobs: [
      {
        name: 'step',
        module: 'fleet-step',
        params: { fail: fail.map(agentNamed) },
        targets: { tags: ['fleet'] },
      },
    ],
  });
  const run = await h.engine.runNow(task.id, 'tester');
  await h.settle();
  return run;
}

async function states(runId: string): Promise<Jobstate[]> {
  return byWave(await h.store.jobstates.allOfRun(runId), nameOf);
}

/** "pc-00:1:finished" per target, in wave order. */
async function picture(runId: string): Promise<string[]> {
  return (await states(runId)).map(
    (js) => `${nameOf(js.agentId)}:${js.wave}:${js.status}${js.reason ? `(${js.reason})` : ''}`,
  );
}

describe('staged rollouts', () => {
  test('waves start in order, each after the earlier ones ended and the pause passed', async () => {
    await setup();
    const t0 = h.clock.now();
    const run = await startRollout({ waves: ['1', '50%', '100%'], pause: '30m', maxFailures: '20%' });
    const waves = (await states(run.id)).map((js) => `${nameOf(js.agentId)}:${js.wave}`);
    assert.deepEqual(waves, [
      'pc-00:1',
      'pc-01:2',
      'pc-02:2',
      'pc-03:2',
      'pc-04:2',
      'pc-05:3',
      'pc-06:3',
      'pc-07:3',
      'pc-08:3',
      'pc-09:3',
    ]);
    const first = await picture(run.id);
    assert.equal(first[0], 'pc-00:1:finished');
    assert.ok(
      first.slice(1).every((s) => s.endsWith(':waiting(rollout_wave)')),
      first.join(' '),
    );
    assert.deepEqual((await h.store.runs.get(run.id))?.rollout?.wave, 1);

    await h.advance(29 * MINUTE);
    assert.ok((await picture(run.id)).slice(1).every((s) => s.endsWith('waiting(rollout_wave)')));
    await h.advance(MINUTE);
    const second = await states(run.id);
    for (const js of second.filter((j) => j.wave === 2)) {
      assert.equal(js.status, 'finished');
      assert.equal(js.startedAt, t0 + 30 * MINUTE, 'wave 2 starts when the pause after wave 1 ended');
    }
    assert.ok(second.filter((j) => j.wave === 3).every((j) => j.status === 'waiting'));

    await h.advance(30 * MINUTE);
    const third = await states(run.id);
    for (const js of third.filter((j) => j.wave === 3)) assert.equal(js.startedAt, t0 + 60 * MINUTE);
    const done = await h.store.runs.get(run.id);
    assert.deepEqual([done?.status, done?.rollout?.wave], ['finished', 3]);
  });

  test('past maxFailures the run halts: nothing more starts, the rest is cancelled rollout_halted', async () => {
    await setup();
    const run = await startRollout({ waves: ['1', '50%'], pause: '10m', maxFailures: '20%' }, ['pc-01', 'pc-02']);
    await h.advance(10 * MINUTE);
    const halted = await h.store.runs.get(run.id);
    assert.deepEqual([halted?.status, halted?.statusReason], ['error', 'rollout_halted']);
    const after = await states(run.id);
    assert.deepEqual(
      after.filter((js) => (js.wave ?? 0) <= 2).map((js) => `${nameOf(js.agentId)}:${js.status}`),
      ['pc-00:finished', 'pc-01:error', 'pc-02:error', 'pc-03:finished', 'pc-04:finished'],
    );
    for (const js of after.filter((j) => j.wave === 3)) {
      assert.deepEqual([js.status, js.reason, js.startedAt], ['cancelled', 'rollout_halted', null]);
    }
    await h.advance(60 * MINUTE);
    assert.ok((await states(run.id)).filter((j) => j.wave === 3).every((j) => j.startedAt === null));
  });

  test('resume re-opens a halted run at its next wave; a run not halted answers rollout_not_halted', async () => {
    await setup();
    const run = await startRollout({ waves: ['1', '50%'], pause: '10m', maxFailures: '0' }, ['pc-00']);
    assert.equal((await h.store.runs.get(run.id))?.statusReason, 'rollout_halted');
    const resumed = await h.engine.rolloutAction(run.id, 'resume');
    assert.deepEqual([resumed.status, resumed.rollout?.wave], ['running', 2]);
    await h.settle();
    const after = await states(run.id);
    assert.ok(after.filter((j) => j.wave === 2).every((j) => j.status === 'finished'));
    // failures so far (1 of 5) still exceed a count of 0: the third wave halts again, untouched
    assert.ok(after.filter((j) => j.wave === 3).every((j) => j.reason === 'rollout_halted' && j.startedAt === null));
    const again = await h.engine.rolloutAction(run.id, 'resume');
    await h.settle();
    assert.equal(again.rollout?.wave, 3);
    assert.equal((await h.store.runs.get(run.id))?.status, 'error', 'it errored: pc-00 failed');
    await assert.rejects(h.engine.rolloutAction(run.id, 'resume'), (e: TaskwardenError) => {
      assert.equal(e.code, 'rollout_not_halted');
      return true;
    });
  });

  test('promote opens the next wave at once, skipping the pause; with none left it answers 409', async () => {
    await setup();
    const t0 = h.clock.now();
    const run = await startRollout({ waves: ['1', '100%'], pause: '1h' });
    await h.advance(MINUTE);
    const promoted = await h.engine.rolloutAction(run.id, 'promote');
    assert.equal(promoted.rollout?.wave, 2);
    await h.settle();
    for (const js of (await states(run.id)).filter((j) => j.wave === 2)) {
      assert.deepEqual([js.status, js.startedAt], ['finished', t0 + MINUTE]);
    }
    await assert.rejects(h.engine.rolloutAction(run.id, 'promote'), (e: TaskwardenError) => {
      assert.equal(e.code, 'rollout_no_next_wave');
      return true;
    });
  });

  test('a next wave made only of delayed jobs opens when they come due', async () => {
    await setup();
    const task = await h.addTask({
      schedule: { kind: 'manual' },
      rollout: { waves: ['1'], pause: '5m' },
      jobs: [
        { name: 'now', module: 'fleet-step', params: {}, targets: { agents: [agentNamed('pc-00')] } },
        { name: 'later', module: 'fleet-step', params: {}, targets: { agents: [agentNamed('pc-01')] }, delay: '1h' },
      ],
    });
    const t0 = h.clock.now();
    const run = await h.engine.runNow(task.id, 'tester');
    await h.settle();
    await h.advance(30 * MINUTE);
    assert.deepEqual(await picture(run.id), ['pc-00:1:finished', 'pc-01:2:waiting(delay)']);
    await h.advance(30 * MINUTE);
    const later = (await states(run.id))[1];
    assert.deepEqual([later?.status, later?.startedAt], ['finished', t0 + 60 * MINUTE]);
    assert.equal((await h.store.runs.get(run.id))?.status, 'finished');
  });

  test('order random still fills each wave to its size', async () => {
    await setup();
    const run = await startRollout({ waves: ['3', '100%'], pause: '1h', order: 'random' });
    const all = await states(run.id);
    assert.equal(all.filter((j) => j.wave === 1).length, 3);
    assert.equal(all.filter((j) => j.wave === 2).length, 7);
  });
});
