// Two server nodes run a chunked job; PostgreSQL goes away for a few seconds and comes back
// on the same port. Meanwhile /health says degraded, the API answers 503 store_unavailable
// (not 500), each node reports the outage once, and afterwards they reconnect (LISTEN
// included) by themselves: the run ends correctly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LISTENER_NAME } from '../../src/store/postgres/store.ts';
import { postgresForFile } from '../support/postgres.ts';
import { adminTokenOf, api, query, type ServerNode, startServerNode, until } from './support.ts';

const postgres = postgresForFile();
const CHUNKS = 30;

async function health(node: ServerNode): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const res = await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
}

/** What `url` answered (status, error code, Retry-After), asked every 100 ms until `done` settles. */
async function answersUntil(done: Promise<unknown>, url: string, token: string): Promise<string[]> {
  let over = false;
  void done.finally(() => {
    over = true;
  });
  const seen: string[] = [];
  while (!over) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { error?: { code: string } };
    const retryAfter = res.headers.get('retry-after');
    seen.push([res.status, body.error?.code, retryAfter && `retry-after ${retryAfter}`].filter(Boolean).join(' '));
    await sleep(100);
  }
  return seen;
}

const outageLines = (node: ServerNode, text: string) =>
  node
    .output()
    .split('\n')
    .filter((line) => line.includes(text));

test('PostgreSQL restarted during a run: health degrades, the nodes recover, the run ends', {
  timeout: 180_000,
}, async () => {
  const url = await postgres.database({ migrated: true });
  const nodes: ServerNode[] = [];
  try {
    const env = { TASKWARDEN_LOG_LEVEL: 'info' };
    nodes.push(await startServerNode(url, env));
    nodes.push(await startServerNode(url, env));
    const [first] = nodes as [ServerNode];
    const token = await adminTokenOf(first);
    assert.equal((await api(first, token, 'POST', '/api/v1/orgs', { name: 'acme' })).status, 201);
    const created = await api(first, token, 'POST', '/api/v1/tasks?org=acme', {
      name: 'through-a-restart',
      schedule: { kind: 'manual' },
      jobs: [{ name: 'work', module: 'noop', params: { chunks: CHUNKS, sleepMs: 200 }, targets: { server: true } }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const started = await api(first, token, 'POST', `/api/v1/tasks/${created.json.id}/runs`);
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const runId: string = started.json.id;
    await until('a few chunks to be done', async () => {
      const [row] = await query<{ checkpoint: string | null }>(
        url,
        'select checkpoint from jobstates where run_id = $1',
        [runId],
      );
      return row?.checkpoint && (JSON.parse(row.checkpoint) as { done: number }).done >= 3;
    });

    // Longer than the loop's longest sleep (maxSleepMs, 5 s): each node passes at least once
    // while the database is away, and says so.
    const restarting = postgres.server().restart({ downMs: 6_000 });
    const answers = answersUntil(restarting, `${first.url}/api/v1/runs/${runId}`, token);
    const degraded = await Promise.all(
      nodes.map((node) =>
        until('/health to say degraded', async () => {
          const reply = await health(node);
          return reply.status === 503 && reply.body;
        }),
      ),
    );
    for (const body of degraded) {
      assert.equal(body.status, 'degraded');
      assert.match(body.reason ?? '', /database unreachable/);
    }
    await restarting;
    // Meanwhile the API said the database was away (503, Retry-After), never 500.
    const seen = await answers;
    assert.ok(
      seen.every((a) => a === '200' || a === '503 store_unavailable retry-after 2'),
      `answers during the restart: ${seen.join(', ')}`,
    );
    assert.ok(seen.includes('503 store_unavailable retry-after 2'), `answers during the restart: ${seen.join(', ')}`);
    for (const node of nodes) {
      await until('/health to be ok again', async () => {
        const reply = await health(node);
        return reply.status === 200 && reply.body.status === 'ok';
      });
    }

    const run = await until('the run to end', async () => {
      const reply = await api(first, token, 'GET', `/api/v1/runs/${runId}`);
      return reply.json?.finishedAt && reply.json;
    });
    assert.equal(run.status, 'finished');
    const [js] = await query<{ id: string; status: string; attempt: string; result: string }>(
      url,
      'select id, status, attempt, result from jobstates where run_id = $1',
      [runId],
    );
    assert.deepEqual(
      { status: js?.status, attempt: js?.attempt, result: JSON.parse(js?.result ?? 'null') },
      { status: 'finished', attempt: '1', result: { chunks: CHUNKS, attempt: 1 } },
    );
    // The chunk in flight at the restart wrote once the database was back: no chunk counted twice.
    const chunks = await query<{ line: string }>(
      url,
      `select line from logs where jobstate_id = $1 and line like 'chunk %' order by id`,
      [js?.id],
    );
    assert.deepEqual(
      chunks.map((row) => row.line),
      Array.from({ length: CHUNKS }, (_, i) => `chunk ${i + 1}/${CHUNKS}`),
    );

    // Both nodes LISTEN again, on connections opened after the restart.
    await until('both nodes to LISTEN again', async () => {
      const [row] = await query<{ n: string }>(
        url,
        'select count(*) as n from pg_stat_activity where application_name = $1 and datname = current_database()',
        [LISTENER_NAME],
      );
      return row?.n === '2';
    });
    // A second run, after the outage, goes through as usual.
    const again = await api(first, token, 'POST', `/api/v1/tasks/${created.json.id}/runs`);
    const [second] = nodes.slice(1) as [ServerNode];
    await until('the second run to end', async () => {
      const reply = await api(second, token, 'GET', `/api/v1/runs/${again.json.id}`);
      return reply.json?.status === 'finished';
    });

    await sleep(200);
    let reported = 0;
    for (const node of nodes) {
      const failed = outageLines(node, 'engine pass failed');
      assert.ok(failed.length <= 1, `the outage is reported once per node, not per pass:\n${failed.join('\n')}`);
      if (failed.length === 1) {
        assert.equal(outageLines(node, 'passes succeed again').length, 1, 'and its end once');
        reported++;
      }
    }
    assert.ok(reported >= 1, 'a node whose passes failed said so');
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
});
