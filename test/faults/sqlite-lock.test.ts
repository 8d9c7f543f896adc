// Fault: another process (a backup tool, a CLI) holds the SQLite file's write lock for a
// few seconds. Meanwhile a write answers 503 `store_busy` with Retry-After within
// WRITE_BOUND_MS and changes nothing, /health says degraded and why, and reads keep
// answering within READ_LIMIT_MS (no synchronous 5 s busy wait holds the event loop).
// Once the lock goes, everything recovers by itself and a task that fell due during the
// lock fires exactly once. Before the fix: the write hung 5 s (busy_timeout) and answered
// 500 `internal`, /health said ok throughout, and reads stalled behind the engine's
// blocked writes for up to 5 s.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiReply, type ServerProcess, startServerProcess, until } from './server-process.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const LOCK_HOLDER = join(ROOT, 'test/fixtures/sqlite-lock-holder.ts');
/** A write under the lock must give up within this (the retries' budget plus a loaded box's slack). */
const WRITE_BOUND_MS = 3_000;
/** A read under the lock must answer within this. */
const READ_LIMIT_MS = 2_000;
/** How long after the lock was taken the task falls due. */
const DUE_AFTER_LOCK_MS = 2_000;

const dirs: string[] = [];
const children: ChildProcess[] = [];
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface LockHolder {
  lock(): Promise<void>;
  release(): Promise<void>;
}

/** The second process, started and ready to take the lock of `file` when told. */
async function lockHolder(file: string): Promise<LockHolder> {
  const child = spawn(process.execPath, ['--import', 'tsx', LOCK_HOLDER, file], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const said = (word: string) => until(`the lock holder to say ${word}`, async () => output.includes(word), 60_000);
  await said('ready');
  return {
    async lock() {
      child.stdin?.write('lock\n');
      await said('locked');
    },
    async release() {
      child.stdin?.write('release\n');
      await said('released');
    },
  };
}

async function onceTask(server: ServerProcess, name: string, at: number): Promise<ApiReply> {
  const task = await server.api('POST', '/api/v1/tasks?org=acme', {
    name,
    schedule: { kind: 'once', at: new Date(at).toISOString() },
    jobs: [{ name: 'work', module: 'noop', targets: { server: true } }],
  });
  assert.equal(task.status, 201, JSON.stringify(task.json));
  return task;
}

/** The task's runs once it has some and all of them finished. */
async function finishedRuns(server: ServerProcess, taskId: string): Promise<{ status: string; fireAt: string }[]> {
  return until(`task ${taskId} to run`, async () => {
    const reply = await server.api('GET', `/api/v1/tasks/${taskId}/runs`);
    const runs: { status: string; fireAt: string }[] = reply.json.items;
    return runs.length > 0 && runs.every((r) => r.status === 'finished') && runs;
  });
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: Math.round(performance.now() - started) };
}

async function health(server: ServerProcess): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const res = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
}

test('a SQLite file locked by another process: 503 store_busy, /health degraded, reads answer; then all recovers and a task due meanwhile fires once', {
  timeout: 180_000,
}, async (t) => {
  const data = await mkdtemp(join(tmpdir(), 'tw-lock-'));
  dirs.push(data);
  const [server, holder] = await Promise.all([startServerProcess(data), lockHolder(join(data, 'taskwarden.db'))]);
  children.push(server.child);
  assert.equal((await server.api('POST', '/api/v1/orgs', { name: 'acme' })).status, 201);

  const dueAt = Date.now() + DUE_AFTER_LOCK_MS + 1_000;
  const task = await onceTask(server, 'due-during-the-lock', dueAt);
  await holder.lock();
  assert.ok(Date.now() < dueAt - 500, 'the lock was taken before the task fell due');

  // Reads are sampled through the whole lock, in the background of the other probes.
  const readLatencies: number[] = [];
  let reading = true;
  const reads = (async () => {
    while (reading) {
      const read = await timed(() =>
        server.api('GET', `/api/v1/tasks/${task.json.id}`, undefined, 10_000).catch(() => null),
      );
      readLatencies.push(read.value?.status === 200 ? read.ms : Number.POSITIVE_INFINITY);
      await sleep(100);
    }
  })();

  const write = await timed(() =>
    server.api('POST', '/api/v1/orgs', { name: 'during-the-lock' }, 15_000).catch((err: Error) => ({
      status: 0,
      headers: new Headers(),
      json: { error: { code: err.message } },
    })),
  );
  const degraded = await timed(() =>
    until('/health to say degraded', async () => {
      const reply = await health(server).catch(() => null);
      return reply?.status === 503 && reply;
    }).catch(() => null),
  );
  await until('the task to fall due, the lock still held', async () => Date.now() > dueAt + 1_500, 10_000);
  const runsDuringLock = await server.api('GET', `/api/v1/tasks/${task.json.id}/runs`, undefined, 10_000);
  reading = false;
  await reads;

  assert.deepEqual(
    {
      writeStatus: write.value.status,
      writeCode: write.value.json?.error?.code,
      writeRetryAfter: Number(write.value.headers.get('retry-after')) > 0,
      writeWithinBound: write.ms <= WRITE_BOUND_MS,
      healthDegraded: degraded.value?.body.status,
      healthReason: /locked by another process/.test(degraded.value?.body.reason ?? ''),
      readsWithinLimit: Math.max(...readLatencies) <= READ_LIMIT_MS,
      runsDuringLock: runsDuringLock.json?.items?.length,
    },
    {
      writeStatus: 503,
      writeCode: 'store_busy',
      writeRetryAfter: true,
      writeWithinBound: true,
      healthDegraded: 'degraded',
      healthReason: true,
      readsWithinLimit: true,
      runsDuringLock: 0,
    },
    `under the lock: write ${write.ms} ms ${JSON.stringify(write.value.json)}; health ${JSON.stringify(degraded.value?.body)}` +
      ` after ${degraded.ms} ms; read latencies (ms) ${readLatencies.join(' ')}`,
  );

  t.diagnostic(
    `under the lock: the write answered ${write.value.status} in ${write.ms} ms, /health degraded after ` +
      `${degraded.ms} ms, slowest of ${readLatencies.length} reads ${Math.max(...readLatencies)} ms`,
  );
  await holder.release();
  const released = performance.now();
  await until('/health to be ok again', async () => (await health(server)).status === 200);
  t.diagnostic(`/health ok again ${Math.round(performance.now() - released)} ms after the lock went`);
  assert.equal((await server.api('POST', '/api/v1/orgs', { name: 'after-the-lock' })).status, 201);
  const orgs = await server.api('GET', '/api/v1/orgs');
  const names = orgs.json.items.map((org: { name: string }) => org.name).sort();
  assert.deepEqual(names, ['acme', 'after-the-lock'], 'the refused write left nothing behind');

  const runs = await finishedRuns(server, task.json.id);
  assert.equal(runs.length, 1, JSON.stringify(runs));
  assert.equal(runs[0]?.fireAt, new Date(dueAt).toISOString());
  // Passes after that one (a task due later has run) did not fire it again.
  const later = await onceTask(server, 'due-after-the-lock', Date.now() + 1_000);
  await finishedRuns(server, later.json.id);
  assert.equal((await server.api('GET', `/api/v1/tasks/${task.json.id}/runs`)).json.items.length, 1, 'fired once');

  const outage = server
    .output()
    .split('\n')
    .filter((line) => line.includes('engine pass failed'));
  assert.ok(outage.length <= 1, `the engine reports the lock once, not per pass:\n${outage.join('\n')}`);
});
