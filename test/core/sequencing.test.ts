// Sequencing of a run's jobs (core/sequencing.ts): a first job's start looks at no other
// jobstate, so preparing a run over 100,000 targets is not a walk of the run per target.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideStart, predecessorsOf, type SequencedJobstate } from '../../src/core/sequencing.ts';

/** A run's jobstates that no one may read: any look at them throws. */
const untouchable = new Proxy([] as SequencedJobstate[], {
  get(_target, key) {
    throw new Error(`the run's jobstates were read (${String(key)})`);
  },
});

test("a first job starts without a look at the run's other jobstates, whatever its startIf", () => {
  for (const startIf of ['always', 'success', 'failure'] as const) {
    assert.equal(decideStart({ jobIndex: 0, agentId: 'a', status: 'waiting' }, startIf, untouchable), 'go');
  }
  assert.deepEqual(predecessorsOf({ jobIndex: 0, agentId: null, status: 'waiting' }, untouchable), []);
});

test('a later job waits for the previous job of its target, or of every target when its own has none', () => {
  const run: SequencedJobstate[] = [
    { jobIndex: 0, agentId: 'a', status: 'finished' },
    { jobIndex: 0, agentId: 'b', status: 'running' },
    { jobIndex: 1, agentId: 'a', status: 'waiting' },
    { jobIndex: 1, agentId: 'c', status: 'waiting' },
  ];
  assert.equal(decideStart(run[2] as SequencedJobstate, 'success', run), 'go');
  assert.equal(decideStart(run[3] as SequencedJobstate, 'always', run), 'wait');
});
