// Staged rollouts: a task's rollout and a run's plan round-trip, a wave opens once
// (compare-and-set), targets are tallied per wave, released by wave, and a halted run reopens.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Jobstate } from '../../../src/core/model.ts';
import { makeAgent, makeJobstate, seedRun, seedTask, T0 } from '../fixtures.ts';
import { type OpenStore, storeTest } from './harness.ts';

const ROLLOUT = { reach: [1, 3], pauseSeconds: 60, maxFailures: '20%', wave: 1 };

export function rolloutCases(open: OpenStore): void {
  describe('rollouts', () => {
    storeTest(open, "a task's rollout and a run's plan read back as written", async (store) => {
      const def = { waves: ['1', '50%'], pauseSeconds: 1800, maxFailures: null, order: 'random' as const };
      const task = await seedTask(store, { rollout: def });
      assert.deepEqual((await store.tasks.get(task.id))?.rollout, def);
      const run = await seedRun(store, { status: 'running' });
      assert.equal(run.rollout, undefined, 'a run without a rollout has none');
      await store.rollouts.setPlan(run.id, ROLLOUT);
      assert.deepEqual((await store.rollouts.lockRun(run.id))?.rollout, ROLLOUT);
      const js = makeJobstate(run, { wave: 2 });
      await store.jobstates.insertMany([js, makeJobstate(run)]);
      assert.equal((await store.jobstates.get(js.id))?.wave, 2);
      assert.deepEqual((await store.jobstates.allOfRun(run.id)).map((j) => j.wave ?? null).sort(), [2, null]);
    });

    storeTest(open, 'a wave opens once, only from the wave before, only while the run runs', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      await store.rollouts.setPlan(run.id, ROLLOUT);
      assert.equal(await store.rollouts.openWave(run.id, 3), false);
      assert.equal(await store.rollouts.openWave(run.id, 2), true);
      assert.equal(await store.rollouts.openWave(run.id, 2), false, 'the second opener loses');
      assert.equal((await store.runs.get(run.id))?.rollout?.wave, 2);
      await store.runs.update(run.id, { status: 'cancelled' });
      assert.equal(await store.rollouts.openWave(run.id, 3), false);
    });

    storeTest(open, 'tally per target, counts per wave, release by wave, agent names', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const [a, b, c] = await Promise.all(
        ['pc-a', 'pc-b', 'pc-c'].map((name) => store.agents.create(makeAgent(run.orgId, { name }))),
      );
      const js = (agentId: string, wave: number, over: Partial<Jobstate> = {}) =>
        makeJobstate(run, { agentId, wave, ...over });
      await store.jobstates.insertMany([
        js(a!.id, 1, { status: 'finished', finishedAt: T0 + 5 }),
        js(a!.id, 1, { jobIndex: 1, status: 'error', finishedAt: T0 + 9 }),
        js(b!.id, 2, { status: 'waiting', reason: 'rollout_wave' }),
        js(c!.id, 2, { status: 'waiting', reason: 'rollout_wave', dueAt: T0 + 500 }),
      ]);
      const tally = (await store.rollouts.tally(run.id)).sort(
        (x, y) => x.wave - y.wave || (x.agentId ?? '').localeCompare(y.agentId ?? ''),
      );
      assert.deepEqual(tally[0], { wave: 1, agentId: a!.id, open: false, failed: true, lastFinishedAt: T0 + 9 });
      assert.deepEqual(
        tally.slice(1).map((t) => [t.wave, t.open, t.failed, t.lastFinishedAt]),
        [
          [2, true, false, null],
          [2, true, false, null],
        ],
      );
      assert.equal(await store.rollouts.countOpen(run.id, 1), 0);
      assert.equal(await store.rollouts.countOpen(run.id, 2), 2);
      assert.equal(await store.rollouts.release(run.id, 2, T0 + 100, T0), 2, 'none, or a later due time');
      assert.equal(await store.rollouts.release(run.id, 2, T0 + 200, T0), 0, 'an earlier one stays');
      assert.equal(await store.rollouts.release(run.id, 1, T0, T0), 0);
      assert.deepEqual(
        (await store.jobstates.allOfRun(run.id)).filter((j) => j.wave === 2).map((j) => j.dueAt),
        [T0 + 100, T0 + 100],
      );
      const names = await store.rollouts.agentNames(run.orgId, [a!.id, c!.id, 'unknown']);
      assert.deepEqual([...names.values()].sort(), ['pc-a', 'pc-c']);
      assert.equal((await store.rollouts.agentNames('other-org', [a!.id])).size, 0);
    });

    storeTest(
      open,
      'a halted run reopens with its halted jobstates waiting again; no other run does',
      async (store) => {
        const run = await seedRun(store, { status: 'running' });
        await store.rollouts.setPlan(run.id, ROLLOUT);
        const done = makeJobstate(run, { wave: 1, status: 'finished', finishedAt: T0 });
        const halted = makeJobstate(run, { wave: 2, status: 'cancelled', reason: 'rollout_halted', finishedAt: T0 });
        const byUser = makeJobstate(run, { wave: 2, status: 'cancelled', reason: 'cancelled_by_user', finishedAt: T0 });
        await store.jobstates.insertMany([done, halted, byUser]);
        assert.equal(await store.rollouts.reopenHalted(run.id, T0 + 1), false, 'running: not halted');
        await store.runs.update(run.id, { status: 'error', statusReason: 'rollout_halted', finishedAt: T0 });
        assert.equal(await store.rollouts.reopenHalted(run.id, T0 + 1), true);
        const reopened = await store.runs.get(run.id);
        assert.deepEqual([reopened?.status, reopened?.statusReason, reopened?.finishedAt], ['running', null, null]);
        const after = new Map((await store.jobstates.allOfRun(run.id)).map((j) => [j.id, j]));
        assert.deepEqual(
          [after.get(halted.id)?.status, after.get(halted.id)?.reason, after.get(halted.id)?.finishedAt],
          ['waiting', 'rollout_wave', null],
        );
        assert.equal(after.get(byUser.id)?.status, 'cancelled');
        assert.equal(after.get(done.id)?.status, 'finished');
        assert.equal(await store.rollouts.reopenHalted(run.id, T0 + 2), false);
      },
    );
  });
}
