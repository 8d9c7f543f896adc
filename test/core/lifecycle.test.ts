import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JOBSTATE_LIFECYCLE, moveJobstate, moveRun, RUN_LIFECYCLE, sourcesOf } from '../../src/core/lifecycle.ts';
import { OPEN_JOBSTATE_STATUSES, TERMINAL_RUN_STATUSES } from '../../src/core/model.ts';

describe('lifecycle tables', () => {
  it('builds the patch and the guard of one move', () => {
    const { patch, guard } = moveJobstate('prepared', { reason: null }, ['running']);
    assert.deepEqual(patch, { reason: null, status: 'prepared' });
    assert.deepEqual(guard, ['running']);
  });

  it('guards a move with every lawful source when the caller names none', () => {
    assert.deepEqual(moveJobstate('running', {}).guard, ['prepared']);
    assert.deepEqual(sourcesOf(JOBSTATE_LIFECYCLE, 'cancelled').sort(), [...OPEN_JOBSTATE_STATUSES].sort());
  });

  it('refuses a move the table does not allow', () => {
    assert.throws(() => moveJobstate('running', {}, ['waiting']), /waiting → running is not a transition/);
    assert.throws(() => moveRun('running', {}, ['finished']), /finished → running/);
  });

  it('ends nothing that is over, but for a halted rollout and a late report', () => {
    for (const status of TERMINAL_RUN_STATUSES) {
      assert.deepEqual(RUN_LIFECYCLE[status], status === 'error' ? ['running'] : [], status);
    }
    assert.deepEqual(JOBSTATE_LIFECYCLE.finished, []);
    assert.deepEqual(JOBSTATE_LIFECYCLE.error, ['finished']);
  });
});
