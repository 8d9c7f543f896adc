// The arithmetic of staged rollouts: validation naming the field, wave sizes, order, and
// the next-wave decision (busy, pause, open, halt).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  nextWaveStep,
  orderTargets,
  parseRollout,
  type RunRollout,
  type TargetTally,
  waveOf,
  waveProgress,
  waveReach,
  withinThreshold,
} from '../../src/core/rollout.ts';

const rejects = (input: unknown, message: string) =>
  assert.throws(
    () => parseRollout(input, 'rollout'),
    (e: Error) => {
      assert.equal(e.message, message);
      return true;
    },
  );

describe('rollout definition', () => {
  test('the Contract example, normalised, with defaults', () => {
    assert.deepEqual(
      parseRollout({ waves: ['1', '10%', '100%'], pause: '30m', maxFailures: '20%', order: 'name' }, 'rollout'),
      {
        waves: ['1', '10%', '100%'],
        pauseSeconds: 1800,
        maxFailures: '20%',
        order: 'name',
      },
    );
    assert.deepEqual(parseRollout({ waves: [5, '50%'] }, 'rollout'), {
      waves: ['5', '50%'],
      pauseSeconds: 0,
      maxFailures: null,
      order: 'name',
    });
  });

  test('errors name the field', () => {
    rejects({ waves: [] }, 'rollout.waves: must have at least one wave');
    rejects({ waves: ['1', 'ten'] }, 'rollout.waves[1]: must be a count ("50") or a share of the targets ("10%")');
    rejects({ waves: ['0'] }, 'rollout.waves[0]: must be at least 1');
    rejects({ waves: ['10', '5'] }, 'rollout.waves[1]: waves are cumulative: must reach more than 10 before it');
    rejects({ waves: ['50%', '50%'] }, 'rollout.waves[1]: waves are cumulative: must reach more than 50% before it');
    rejects({ waves: ['100%', '5'] }, 'rollout.waves[0]: 100% reaches every target: only the last wave can');
    rejects({ waves: ['150%'] }, 'rollout.waves[0]: a share must be above 0% and at most 100%');
    rejects(
      { waves: ['1'], pause: 'soon' },
      'rollout.pause: "soon" is not a duration (use seconds or 30s, 15m, 6h, 2d, 1w)',
    );
    rejects(
      { waves: ['1'], maxFailures: '-1' },
      'rollout.maxFailures: must be a count ("50") or a share of the targets ("10%")',
    );
    rejects({ waves: ['1'], order: 'size' }, 'rollout.order: must be one of name, random');
    rejects({ waves: ['1'], speed: 2 }, 'rollout.speed: is not a known field');
  });
});

describe('wave sizes', () => {
  test('shares round up, empty waves are dropped, the rest is an implied last wave', () => {
    assert.deepEqual(waveReach(['1', '10%', '100%'], 1000), [1, 100, 1000]);
    assert.deepEqual(waveReach(['1', '10%', '100%'], 5), [1, 5]);
    assert.deepEqual(waveReach(['2', '50%'], 10), [2, 5, 10]);
    assert.deepEqual(waveReach(['50'], 10), [10]);
    assert.deepEqual(waveReach(['1'], 0), []);
  });

  test('property: reach grows strictly, ends at every target; each target has one wave, in order', () => {
    const wave = fc.oneof(
      fc.integer({ min: 1, max: 500 }).map(String),
      fc.integer({ min: 1, max: 100 }).map((p) => `${p}%`),
    );
    fc.assert(
      fc.property(fc.array(wave, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 2000 }), (waves, total) => {
        const reach = waveReach(waves, total);
        assert.equal(reach.at(-1), total);
        for (const [i, n] of reach.entries()) assert.ok(n > (reach[i - 1] ?? 0));
        let previous = 1;
        for (let i = 0; i < total; i++) {
          const k = waveOf(reach, i);
          assert.ok(k >= previous && k <= reach.length);
          previous = k;
        }
      }),
    );
  });
});

describe('order', () => {
  const targets = ['pc-3', 'pc-1', 'pc-2', 'pc-10'].map((name, i) => ({ id: `id-${i}`, name }));

  test('by name', () => {
    assert.deepEqual(
      orderTargets(targets, 'name', 'run').map((t) => t.name),
      ['pc-1', 'pc-10', 'pc-2', 'pc-3'],
    );
  });

  test('random: the same for one seed, a permutation, different across seeds', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ id: `id-${i}`, name: `pc-${i}` }));
    const a = orderTargets(many, 'random', 'run-a').map((t) => t.id);
    assert.deepEqual(
      orderTargets([...many].reverse(), 'random', 'run-a').map((t) => t.id),
      a,
    );
    assert.deepEqual([...a].sort(), many.map((t) => t.id).sort());
    assert.notDeepEqual(
      orderTargets(many, 'random', 'run-b').map((t) => t.id),
      a,
    );
  });
});

describe('next wave', () => {
  const rollout = (over: Partial<RunRollout> = {}): RunRollout => ({
    reach: [1, 5, 10],
    pauseSeconds: 60,
    maxFailures: '20%',
    wave: 2,
    ...over,
  });
  const target = (wave: number, over: Partial<TargetTally> = {}): TargetTally => ({
    wave,
    open: false,
    failed: false,
    lastFinishedAt: 1_000,
    ...over,
  });
  const fleet = (failedInWave2: number, open = false) => [
    target(1),
    ...Array.from({ length: 4 }, (_, i) =>
      target(2, { failed: i < failedInWave2, lastFinishedAt: 2_000 + i, open: open && i === 3 }),
    ),
    ...Array.from({ length: 5 }, () => target(3, { open: true, lastFinishedAt: null })),
  ];

  test('busy while a target of the open waves has not ended', () => {
    assert.deepEqual(nextWaveStep(rollout(), fleet(0, true), 99_999), { kind: 'busy' });
  });

  test('waits for the pause after the last end, then opens', () => {
    assert.deepEqual(nextWaveStep(rollout(), fleet(1), 2_003), { kind: 'pause', until: 62_003 });
    assert.deepEqual(nextWaveStep(rollout(), fleet(1), 62_003), { kind: 'open', wave: 3 });
  });

  test('halts past the threshold, without waiting for the pause', () => {
    assert.deepEqual(nextWaveStep(rollout(), fleet(2), 2_003), { kind: 'halt', failed: 2, ended: 5 });
    assert.deepEqual(nextWaveStep(rollout({ maxFailures: '2' }), fleet(2), 62_003), { kind: 'open', wave: 3 });
    assert.deepEqual(nextWaveStep(rollout({ maxFailures: null }), fleet(4), 62_003), { kind: 'open', wave: 3 });
  });

  test('nothing after the last wave', () => {
    assert.deepEqual(nextWaveStep(rollout({ wave: 3 }), fleet(0), 99_999), { kind: 'last' });
  });

  test('thresholds: a count bounds failures, a share bounds failed/ended', () => {
    assert.equal(withinThreshold('0', 0, 10), true);
    assert.equal(withinThreshold('0', 1, 10), false);
    assert.equal(withinThreshold('20%', 2, 10), true);
    assert.equal(withinThreshold('20%', 3, 10), false);
    assert.equal(withinThreshold('20%', 0, 0), true);
  });

  test('progress per wave', () => {
    assert.deepEqual(waveProgress(rollout(), fleet(1)), [
      { wave: 1, targets: 1, ended: 1, failed: 0 },
      { wave: 2, targets: 4, ended: 4, failed: 1 },
      { wave: 3, targets: 5, ended: 0, failed: 0 },
    ]);
  });
});
