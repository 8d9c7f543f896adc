// Fault: another PostgreSQL session (an operator, a migration tool) holds `LOCK TABLE orgs
// IN ACCESS EXCLUSIVE MODE` in an open transaction, on a real server process. Before: the
// pool's sessions had no lock_timeout, so a write to that table waited as long as the
// lock was held (the request hung, holding a pool connection) and /health said ok. Now a
// write gives up after lock_timeout (TASKWARDEN_DB_LOCK_TIMEOUT) with 503 `store_busy` and
// Retry-After, /health says degraded and why, and both recover by themselves once the
// lock goes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { postgresForFile } from '../support/postgres.ts';
import { type ApiReply, type ServerProcess, startServerProcess, until } from './server-process.ts';

const LOCK_TIMEOUT_S = 1;
/** A write under the lock must give up within this (lock_timeout, plus a loaded box's slack). */
const WRITE_BOUND_MS = 6_000;

const postgres = postgresForFile();
let data: string;
let server: ServerProcess | undefined;
before(async () => {
  data = await mkdtemp(join(tmpdir(), 'tw-pg-lock-'));
});
after(async () => {
  server?.child.kill('SIGKILL');
  await server?.exited;
  await rm(data, { recursive: true, force: true });
});

async function health(url: string): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
}

test('a table locked by another session: 503 store_busy within the lock timeout, /health degraded, then all recovers', {
  timeout: 180_000,
}, async (t) => {
  const url = await postgres.database();
  server = await startServerProcess(data, { TASKWARDEN_DB: url, TASKWARDEN_DB_LOCK_TIMEOUT: `${LOCK_TIMEOUT_S}s` });
  const running = server;
  assert.equal((await running.api('POST', '/api/v1/orgs', { name: 'acme' })).status, 201);

  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  try {
    await holder.query('begin');
    await holder.query('lock table orgs in access exclusive mode');

    const started = performance.now();
    const write: ApiReply | { status: 0; error: string } = await running
      .api('POST', '/api/v1/orgs', { name: 'during-the-lock' }, 15_000)
      .catch((err: Error) => ({ status: 0, error: err.message }));
    const writeMs = Math.round(performance.now() - started);
    const degraded = await health(running.url);
    t.diagnostic(`the write answered ${write.status} in ${writeMs} ms; /health: ${JSON.stringify(degraded.body)}`);
    assert.deepEqual(
      {
        writeStatus: write.status,
        writeCode: 'json' in write ? write.json?.error?.code : write.error,
        retryAfter: 'headers' in write && Number(write.headers.get('retry-after')) > 0,
        withinBound: writeMs <= WRITE_BOUND_MS,
        health: degraded.status,
        reason: /lock/.test(degraded.body.reason ?? ''),
      },
      {
        writeStatus: 503,
        writeCode: 'store_busy',
        retryAfter: true,
        withinBound: true,
        health: 503,
        reason: true,
      },
      `write ${writeMs} ms ${JSON.stringify(write)}; health ${JSON.stringify(degraded.body)}`,
    );
  } finally {
    await holder.query('rollback').catch(() => {});
    await holder.end();
  }

  const released = performance.now();
  await until('/health to be ok again', async () => (await health(running.url)).status === 200, 30_000);
  t.diagnostic(`/health ok again ${Math.round(performance.now() - released)} ms after the lock went`);
  assert.equal((await running.api('POST', '/api/v1/orgs', { name: 'after-the-lock' })).status, 201);
  const names = (await running.api('GET', '/api/v1/orgs')).json.items.map((org: { name: string }) => org.name).sort();
  assert.deepEqual(names, ['acme', 'after-the-lock'], 'the refused write left nothing behind');
});
