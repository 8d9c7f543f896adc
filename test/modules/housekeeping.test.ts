import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import type { ModuleServices } from '../../src/core/ports/module.ts';
import { housekeepingModule } from '../../src/modules/housekeeping/index.ts';
import type { HousekeepingParams } from '../../src/modules/housekeeping/schema.ts';
import { jobContext } from './job-context.ts';

const DAY = 86_400_000;

type Retention = ModuleServices['retention'];
type Packages = Pick<ModuleServices['packages'], 'pruneUnreferencedFiles' | 'deleteOrphanFiles'>;

/** Retention over counters; each call takes a second of the fake clock, like a real DELETE would take time. */
class CountingRetention implements Retention, Packages {
  readonly calls: string[] = [];
  constructor(
    private readonly clock: FakeClock,
    public logs: number,
    public runs: number,
    public files = 0,
    public orphans = 0,
  ) {}

  async pruneLogs(before: number, limit: number): Promise<number> {
    return this.take('logs', before, limit);
  }

  async pruneRuns(before: number, limit: number): Promise<number> {
    return this.take('runs', before, limit);
  }

  async pruneUnreferencedFiles(before: number, limit: number): Promise<number> {
    return this.take('files', before, limit);
  }

  async deleteOrphanFiles(before: number): Promise<number> {
    return this.take('orphans', before, Number.POSITIVE_INFINITY);
  }

  private take(what: 'logs' | 'runs' | 'files' | 'orphans', before: number, limit: number): number {
    const n = Math.min(limit, this[what]);
    this[what] -= n;
    this.calls.push(`${what}<${new Date(before).toISOString()}:${limit}=${n}`);
    this.clock.advance(1000);
    return n;
  }
}

const parse = (params: unknown) => housekeepingModule.parseParams(params, 'params');

function setup(params: unknown, logs: number, runs: number, files = 0, orphans = 0) {
  const clock = new FakeClock('2026-12-01T01:15:00Z');
  const retention = new CountingRetention(clock, logs, runs, files, orphans);
  const packages = {
    pruneUnreferencedFiles: retention.pruneUnreferencedFiles.bind(retention),
    deleteOrphanFiles: retention.deleteOrphanFiles.bind(retention),
  } as Partial<ModuleServices['packages']> as ModuleServices['packages'];
  const execute = (options: { checkpoint?: unknown; deadline?: number; signal?: AbortSignal } = {}) => {
    const { ctx, logs: lines } = jobContext<HousekeepingParams>(parse(params), {
      ...options,
      clock,
      services: { retention, packages },
    });
    return { outcome: housekeepingModule.execute!(ctx), lines };
  };
  return { clock, retention, execute };
}

describe('housekeeping module', () => {
  test('is serial, server-side, with defaults 90d / 30d / 1d / 500', () => {
    assert.deepEqual([housekeepingModule.parallelizable, housekeepingModule.runsOn], [false, 'server']);
    assert.deepEqual(parse(undefined), { keepRuns: 90 * 86400, keepLogs: 30 * 86400, keepUploads: 86400, chunk: 500 });
    assert.deepEqual(parse({ keepRuns: '12h', keepLogs: 3600, keepUploads: '2h', chunk: 10 }), {
      keepRuns: 43200,
      keepLogs: 3600,
      keepUploads: 7200,
      chunk: 10,
    });
    // Parsed params are stored and parsed again when the job runs: the result must be stable.
    assert.deepEqual(parse(parse({ keepRuns: '2w' })), parse({ keepRuns: '2w' }));
  });

  test('rejects bad params naming the field', () => {
    assert.throws(() => parse({ chunk: 0 }), { field: 'params.chunk' });
    assert.throws(() => parse({ chunk: 10001 }), { field: 'params.chunk' });
    assert.throws(() => parse({ keepRuns: 'soon' }), { field: 'params.keepRuns' });
    assert.throws(() => parse({ keepLogs: 0 }), { field: 'params.keepLogs' });
    // Shorter than a minute, an upload could lose its file before its package is registered.
    assert.throws(() => parse({ keepUploads: '30s' }), { field: 'params.keepUploads' });
    assert.throws(() => parse({ keepAll: true }), { field: 'params.keepAll' });
  });

  test('prunes logs, runs, then unused package files in chunks until nothing is left, and last orphan blobs', async () => {
    const hk = setup({ keepRuns: '90d', keepLogs: '30d', chunk: 500 }, 1200, 3, 501, 2);
    const { outcome, lines } = hk.execute();
    assert.deepEqual(await outcome, {
      done: true,
      ok: true,
      result: { deletedRuns: 3, deletedLogs: 1200, deletedFiles: 501 },
    });
    const logCut = new Date(Date.parse('2026-12-01T01:15:00Z') - 30 * DAY).toISOString();
    const runCut = new Date(Date.parse('2026-12-01T01:15:00Z') - 90 * DAY).toISOString();
    const uploadCut = new Date(Date.parse('2026-12-01T01:15:00Z') - DAY).toISOString();
    assert.deepEqual(hk.retention.calls, [
      `logs<${logCut}:500=500`,
      `logs<${logCut}:500=500`,
      `logs<${logCut}:500=200`,
      `runs<${runCut}:500=3`,
      `files<${uploadCut}:500=500`,
      `files<${uploadCut}:500=1`,
      `orphans<${uploadCut}:Infinity=2`,
    ]);
    assert.deepEqual(
      lines.map((l) => l.line),
      [
        'deleted 2 stored package files no org uses any more',
        `pruned 1200 log lines older than ${logCut}`,
        `pruned 3 runs finished before ${runCut}`,
        `pruned 501 package files uploaded before ${uploadCut} that no package uses`,
      ],
    );
  });

  test('returns a checkpoint at the deadline and resumes from its counters', async () => {
    const hk = setup({ chunk: 100 }, 250, 150);
    // Each chunk takes 1 s: chunks start at +0, +1, +2; at +3 the deadline has come.
    const first = await hk.execute({ deadline: hk.clock.monotonic() + 3000 }).outcome;
    assert.deepEqual(first, {
      done: false,
      checkpoint: { phase: 'runs', deletedLogs: 250, deletedRuns: 0, deletedFiles: 0 },
    });
    assert.equal(hk.retention.calls.length, 3);

    const second = await hk.execute({
      checkpoint: (first as { checkpoint: unknown }).checkpoint,
      deadline: hk.clock.monotonic() + 1000,
    }).outcome;
    assert.deepEqual(second, {
      done: false,
      checkpoint: { phase: 'runs', deletedLogs: 250, deletedRuns: 100, deletedFiles: 0 },
    });

    const third = await hk.execute({ checkpoint: (second as { checkpoint: unknown }).checkpoint }).outcome;
    assert.deepEqual(third, { done: true, ok: true, result: { deletedRuns: 150, deletedLogs: 250, deletedFiles: 0 } });
    assert.deepEqual([hk.retention.logs, hk.retention.runs], [0, 0]);
    // No chunk of logs was repeated after the phase moved on.
    assert.equal(hk.retention.calls.filter((c) => c.startsWith('logs')).length, 3);
  });

  test('an aborted job returns its checkpoint before the next chunk', async () => {
    const hk = setup({}, 10, 10);
    const { outcome, lines } = hk.execute({ signal: AbortSignal.abort() });
    assert.deepEqual(await outcome, {
      done: false,
      checkpoint: { phase: 'logs', deletedLogs: 0, deletedRuns: 0, deletedFiles: 0 },
    });
    assert.deepEqual(hk.retention.calls, []);
    assert.match(lines[0]?.line ?? '', /paused after 0 log lines, 0 runs and 0 package files/);
  });

  test('a checkpoint of the previous version (no file counter) resumes', async () => {
    const hk = setup({}, 0, 4);
    const { outcome } = hk.execute({ checkpoint: { phase: 'runs', deletedLogs: 7, deletedRuns: 1 } });
    assert.deepEqual(await outcome, {
      done: true,
      ok: true,
      result: { deletedRuns: 5, deletedLogs: 7, deletedFiles: 0 },
    });
  });

  test('an unreadable checkpoint starts over instead of failing', async () => {
    const hk = setup({}, 5, 0);
    const { outcome, lines } = hk.execute({ checkpoint: { phase: 'sideways' } });
    assert.deepEqual(await outcome, {
      done: true,
      ok: true,
      result: { deletedRuns: 0, deletedLogs: 5, deletedFiles: 0 },
    });
    assert.equal(lines[0]?.line, 'unreadable checkpoint, starting over');
  });

  test('summarize adds up what the finished jobstates pruned', () => {
    const js = (result: unknown) => ({
      job: 'prune',
      agentId: null,
      status: 'finished' as const,
      reason: null,
      result,
    });
    assert.deepEqual(
      housekeepingModule.summarize!([
        js({ deletedRuns: 12, deletedLogs: 3000, deletedFiles: 2 }),
        js({ deletedRuns: 1, deletedLogs: 400 }),
        js(null),
      ]),
      { details: '13 runs, 3400 log lines, 2 package files pruned' },
    );
  });
});
