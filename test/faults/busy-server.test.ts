// Fault: one request must not freeze the server. A `noop` job of a million chunks that
// take no time (chunks: 1000000, sleepMs: 0) runs on a real server process; meanwhile
// /health answers within HEALTH_BUDGET_MS, SIGTERM stops the process within its documented
// 10 s, and after a SIGKILL the restarted server answers (and lets the run be cancelled)
// while the job resumes. Before the fix the chunk loop never gave the event loop a turn:
// /health timed out, SIGTERM was ignored, and a restart froze again before listening.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../../src/core/ports/store.ts';
import { openStore } from '../../src/store/open.ts';
import { exitWithin, healthLatency, type ServerProcess, startServerProcess, until } from './server-process.ts';

/**
 * What an answer may take while the job runs. On a loaded shared box a process may lose
 * the CPU for a moment, so one probe in ten may take longer, but none over HEALTH_LIMIT_MS.
 */
const HEALTH_BUDGET_MS = 500;
const HEALTH_LIMIT_MS = 2_000;
/** The documented shutdown bound (README: within 10 s). */
const SHUTDOWN_BOUND_MS = 10_000;

const dirs: string[] = [];
const running: ServerProcess[] = [];
const stores: Store[] = [];
after(async () => {
  for (const server of running) server.child.kill('SIGKILL');
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function start(data: string): Promise<ServerProcess> {
  const server = await startServerProcess(data);
  running.push(server);
  return server;
}

/** Samples /health every 100 ms for `ms` and asserts it answered in time. */
async function assertResponsive(url: string, ms: number, when: string): Promise<void> {
  const latencies: number[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    latencies.push(await healthLatency(url, HEALTH_LIMIT_MS));
    await sleep(100);
  }
  const shown = latencies.map((l) => (Number.isFinite(l) ? Math.round(l) : 'none')).join(' ');
  const slow = latencies.filter((l) => l > HEALTH_BUDGET_MS).length;
  assert.ok(slow <= latencies.length / 10, `${when}: /health over ${HEALTH_BUDGET_MS} ms in ${slow} probes: ${shown}`);
  assert.ok(Math.max(...latencies) <= HEALTH_LIMIT_MS, `${when}: /health did not answer in time: ${shown}`);
}

/** Chunks the run's one jobstate has done, read from the server's SQLite file (the API does not show checkpoints). */
async function chunksDone(store: Store, runId: string): Promise<number> {
  const [js] = await store.jobstates.allOfRun(runId);
  return (js?.checkpoint as { done?: number } | null)?.done ?? 0;
}

test('a million empty chunks: /health answers, SIGTERM stops it, a restart after SIGKILL answers and cancels', async () => {
  const data = await mkdtemp(join(tmpdir(), 'tw-busy-'));
  dirs.push(data);
  const first = await start(data);
  assert.equal((await first.api('POST', '/api/v1/orgs', { name: 'busy' })).status, 201);
  const task = await first.api('POST', '/api/v1/tasks?org=busy', {
    name: 'hog',
    jobs: [{ name: 'spin', module: 'noop', params: { chunks: 1_000_000, sleepMs: 0 }, targets: { server: true } }],
  });
  assert.equal(task.status, 201, JSON.stringify(task.json));
  const run = await first.api('POST', `/api/v1/tasks/${task.json.id}/runs`);
  assert.equal(run.status, 201, JSON.stringify(run.json));
  const store = await openStore(`sqlite:${join(data, 'taskwarden.db')}`);
  stores.push(store);

  // The job is under way, chunk after chunk…
  await sleep(500);
  await assertResponsive(first.url, 3_000, 'while the job runs');
  const progress = await chunksDone(store, run.json.id);
  assert.ok(progress > 10, `the job makes progress meanwhile (${progress} chunks)`);

  first.child.kill('SIGTERM');
  const code = await exitWithin(first, SHUTDOWN_BOUND_MS);
  assert.equal(code, 0, `SIGTERM: exit 0 within ${SHUTDOWN_BOUND_MS} ms (got ${code}):\n${first.output()}`);

  // The job resumes on the next start; a SIGKILL leaves it running, for the start after to recover.
  const second = await start(data);
  await until('the job to resume after a restart', async () => (await chunksDone(store, run.json.id)) > progress);
  second.child.kill('SIGKILL');
  await second.exited;

  const killedAt = await chunksDone(store, run.json.id);
  const third = await start(data);
  await assertResponsive(third.url, 2_000, 'restarted after a SIGKILL');
  assert.ok((await chunksDone(store, run.json.id)) > killedAt, 'the job resumed meanwhile');
  const cancel = await third.api('POST', `/api/v1/runs/${run.json.id}/cancel`, undefined, HEALTH_LIMIT_MS);
  assert.equal(cancel.status, 200, JSON.stringify(cancel.json));
  assert.equal(cancel.json.status, 'cancelled');
  third.child.kill('SIGTERM');
  assert.equal(await exitWithin(third, SHUTDOWN_BOUND_MS), 0, third.output());
});
