// Reports over a task's runs (bucketing, success rate, percentiles), the relaunch of failed
// targets and the one-line summary, through the REST API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bucketStart, buildTaskReport, percentile, type ReportRun } from '../../src/server/reports.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

const T0 = Date.parse('2026-12-07T00:00:00Z'); // a Monday
const HOUR = 3_600_000;
const run = (createdAt: number, status: ReportRun['status'], seconds: number | null): ReportRun => ({
  createdAt,
  status,
  startedAt: seconds === null ? null : createdAt,
  finishedAt: seconds === null ? null : createdAt + seconds * 1000,
});

describe('report aggregation', () => {
  test('percentiles are nearest-rank values of the sorted durations', () => {
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([7], 90), 7);
    const tens = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(tens, 50), 5);
    assert.equal(percentile(tens, 90), 9);
    assert.equal(percentile(tens, 100), 10);
  });

  test('weeks start on Monday, days at UTC midnight', () => {
    assert.equal(bucketStart(T0 + 3 * 24 * HOUR + 5 * HOUR, 'week'), T0);
    assert.equal(bucketStart(T0 + 26 * HOUR, 'day'), T0 + 24 * HOUR);
    assert.equal(bucketStart(T0 + 90 * 60_000, 'hour'), T0 + HOUR);
  });

  test('every bucket of the range is present, with counts, rate and percentiles of its runs', () => {
    const runs = [
      run(T0 + HOUR, 'finished', 10),
      run(T0 + 2 * HOUR, 'finished', 30),
      run(T0 + 3 * HOUR, 'error', 20),
      run(T0 + 4 * HOUR, 'cancelled', null),
      run(T0 + 2 * 24 * HOUR, 'running', null),
      run(T0 - HOUR, 'finished', 99), // before the range: ignored
    ];
    const report = buildTaskReport({ id: 't', name: 'nightly' }, runs, {
      since: T0,
      until: T0 + 3 * 24 * HOUR,
      bucket: 'day',
    });
    assert.deepEqual(
      report.buckets.map((b) => [b.start.slice(0, 10), b.runs, b.finished, b.error, b.cancelled, b.other]),
      [
        ['2026-12-07', 4, 2, 1, 1, 0],
        ['2026-12-08', 0, 0, 0, 0, 0],
        ['2026-12-09', 1, 0, 0, 0, 1],
      ],
    );
    const [first, empty] = report.buckets;
    assert.equal(first?.successRate, 2 / 3);
    assert.equal(first?.p50Seconds, 20);
    assert.equal(first?.p90Seconds, 30);
    assert.equal(empty?.successRate, null);
    assert.equal(empty?.p50Seconds, null);
    assert.equal(report.totals.runs, 5);
  });

  test('a range too wide for its bucket, or reversed, is refused naming the field', () => {
    const wide = { since: T0 - 1000 * 24 * HOUR, until: T0, bucket: 'hour' as const };
    assert.throws(() => buildTaskReport({ id: 't', name: 'n' }, [], wide), /since: the range holds 24000 hour buckets/);
    const reversed = { since: T0, until: T0 - HOUR, bucket: 'day' as const };
    assert.throws(() => buildTaskReport({ id: 't', name: 'n' }, [], reversed), /until: must be after since/);
  });
});

describe('reports, relaunch and one summary line over HTTP', () => {
  let h: ServerHarness;
  let operator: string;
  let viewer: string;
  let taskId: string;

  before(async () => {
    h = await startServerHarness();
    const org = await h.createOrg('reports-org');
    operator = (await h.createUser(org.id, 'rita', 'operator')).token;
    viewer = (await h.createUser(org.id, 'victor', 'viewer')).token;
    const task = {
      name: 'flaky',
      schedule: { kind: 'manual' },
      jobs: [
        { name: 'good', module: 'noop', params: {}, targets: { server: true } },
        { name: 'bad', module: 'noop', params: { failTimes: 1 }, targets: { server: true } },
      ],
    };
    taskId = (await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body: task })).json.id;
  });
  after(() => h.cleanup());

  test('relaunch makes a run of the failed pairs only; a viewer may not', async () => {
    const first = await h.expect(200, 'POST', `/api/v1/tasks/${taskId}/runs?wait=10`, { token: operator });
    assert.equal(first.json.status, 'error');
    await h.expect(403, 'POST', `/api/v1/runs/${first.json.id}/relaunch`, { token: viewer });
    const again = await h.expect(201, 'POST', `/api/v1/runs/${first.json.id}/relaunch`, { token: operator });
    assert.equal(again.json.createdBy, 'rita');
    const ended = await h.engine.waitForRun(again.json.id, 10_000);
    assert.equal(ended.status, 'error'); // noop fails attempt 1 again: the point is which jobs ran
    const jobs = await h.expect(200, 'GET', `/api/v1/runs/${again.json.id}/jobstates`, { token: viewer });
    assert.deepEqual(
      jobs.json.items.map((js: { job: string }) => js.job),
      ['bad'],
    );
    await h.expect(404, 'POST', '/api/v1/runs/no-such-run/relaunch', { token: operator });
  });

  test('the report counts the runs of the task by day', async () => {
    const res = await h.expect(200, 'GET', `/api/v1/reports/tasks/${taskId}?bucket=day`, { token: viewer });
    assert.equal(res.json.task, 'flaky');
    assert.equal(res.json.buckets.length >= 30, true);
    assert.equal(res.json.totals.runs, 2);
    assert.equal(res.json.totals.error, 2);
    assert.equal(res.json.totals.successRate, 0);
    assert.equal(res.json.buckets.at(-1).runs, 2);
    const bad = await h.expect(400, 'GET', `/api/v1/reports/tasks/${taskId}?since=yesterday`, { token: viewer });
    assert.match(bad.json.error.message, /^since: /);
    await h.expect(404, 'GET', '/api/v1/reports/tasks/no-such-task', { token: viewer });
  });

  test('one summary line by task id', async () => {
    const line = await h.expect(200, 'GET', `/api/v1/summary/${taskId}`, { token: viewer });
    assert.equal(line.json.taskId, taskId);
    assert.equal(line.json.task, 'flaky');
    assert.equal(line.json.status, 'error');
    await h.expect(404, 'GET', '/api/v1/summary/no-such-task', { token: viewer });
  });
});
