// Fault: PostgreSQL restarted while chunks of server jobs are in flight, and down longer
// than the nodes' lease. Each chunk in flight ends while the database is away, so its
// write fails; its lease lapses meanwhile. When the database is back, either the node's
// retried write lands or the job is recovered from its lease and resumes from its last
// checkpoint: whichever comes first, the other is fenced out. Every job ends finished
// once, on its first attempt, and every chunk is counted once (the idempotent checkpoint
// contract: a chunk whose result was lost runs again, its lost run leaves no trace).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { query, RESUME_MARKER, startEngineNode, until, withEngineNodes } from '../cluster/support.ts';
import { postgresForFile } from '../support/postgres.ts';

const postgres = postgresForFile();
const RUNS = 6;
const CHUNKS = 12;
const LEASE_MS = 2_000;

test('PostgreSQL restarted mid-chunk, down past the lease: every job resumes from its checkpoint and ends once', {
  timeout: 180_000,
}, async () => {
  const url = await postgres.database({ migrated: true });
  await withEngineNodes(url, async (author, nodes) => {
    const options = { leaseMs: LEASE_MS, executorConcurrency: RUNS };
    nodes.push(...(await Promise.all([1, 2].map(() => startEngineNode(url, options)))));
    const task = await author.addTask({
      schedule: { kind: 'manual' },
      concurrency: 'allow',
      jobs: [{ name: 'work', module: 'noop', params: { chunks: CHUNKS, sleepMs: 300 }, targets: { server: true } }],
    });
    for (let i = 0; i < RUNS; i++) await author.engine.runNow(task.id, null);

    // Mid-chunk: jobs running (a chunk in flight holds the lease), past a checkpoint, none near its end.
    const inFlight = await until('chunks in flight, each past a checkpoint', async () => {
      const rows = await query<{ id: string; done: number | null }>(
        url,
        `select id, (checkpoint::json->>'done')::int as done from jobstates where status = 'running'`,
      );
      const resumable = rows.filter((row) => row.done !== null && row.done >= 2 && row.done < CHUNKS - 3);
      return resumable.length >= 2 && resumable.map((row) => row.id);
    });
    await postgres.server().restart({ downMs: 3 * LEASE_MS });

    await until(
      'every run to finish',
      async () => (await author.store.runs.countByStatus()).finished === RUNS,
      120_000,
    );
    const finishedBy = await Promise.all(
      nodes.map(async (node) => {
        assert.equal(await node.stop(), 0, node.output());
        return Number(/^finished (\d+)$/m.exec(node.output())?.[1]);
      }),
    );
    assert.equal(
      finishedBy.reduce((sum, n) => sum + n, 0),
      RUNS,
      `every job was finished once: per node ${finishedBy}`,
    );

    const expected = Array.from({ length: CHUNKS }, (_, i) => `chunk ${i + 1}/${CHUNKS}`);
    const resumed: string[] = [];
    for (const js of await query<{ id: string; status: string; attempt: string; result: string }>(
      url,
      'select id, status, attempt, result from jobstates',
    )) {
      assert.deepEqual(
        { status: js.status, attempt: js.attempt, result: JSON.parse(js.result) },
        { status: 'finished', attempt: '1', result: { chunks: CHUNKS, attempt: 1 } },
        `jobstate ${js.id}`,
      );
      const { items } = await author.store.logs.list(js.id, { limit: 1000 });
      const lines = items.map((line) => line.line);
      assert.deepEqual(
        lines.filter((line) => line.startsWith('chunk ')),
        expected,
        `jobstate ${js.id} counted each chunk once`,
      );
      if (lines.includes(RESUME_MARKER)) resumed.push(js.id);
    }
    process.stdout.write(
      `# ${inFlight.length} jobs had a chunk in flight at the restart; ${resumed.length} were resumed from their lease\n`,
    );
  });
});
