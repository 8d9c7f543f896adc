// Engine.waitForRun (`POST /runs?wait=`, `task run --wait`, the fleet bench): a run that
// ends while the wait reads it is heard, not waited out to the timeout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Run } from '../../src/core/model.ts';
import { serverJob, startEngineHarness } from '../support/engine.ts';

test('a run that ends between the wait reading it and listening is not waited out', async () => {
  const h = await startEngineHarness();
  try {
    const task = await h.addTask({ schedule: { kind: 'manual' }, jobs: [serverJob('noop')] });
    const run = await h.engine.runNow(task.id, null); // not ticked: it stays running
    const runs = h.store.runs;
    const get = runs.get.bind(runs);
    let raced = false;
    // The wait's read sees the run open; the run is cancelled before that read returns.
    runs.get = async (id: string): Promise<Run | null> => {
      const seen = await get(id);
      if (!raced && id === run.id) {
        raced = true;
        await h.engine.cancelRun(id);
      }
      return seen;
    };
    const began = Date.now();
    const ended = await h.engine.waitForRun(run.id, 10_000);
    assert.equal(ended.status, 'cancelled');
    assert.ok(raced);
    assert.ok(Date.now() - began < 5_000, `waited ${Date.now() - began} ms for a run that had ended`);
  } finally {
    await h.cleanup();
  }
});
