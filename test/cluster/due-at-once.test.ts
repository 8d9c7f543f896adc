// Three engine nodes on one PostgreSQL database and 1,000 `once` tasks due at the same
// instant: every firing becomes exactly one run, and every job runs exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresForFile } from '../support/postgres.ts';
import { query, startEngineNode, until, withEngineNodes } from './support.ts';

const postgres = postgresForFile();
const TASKS = 1_000;

test('three nodes and 1,000 tasks due at one instant: 1,000 runs, each job started once', {
  timeout: 180_000,
}, async () => {
  const url = await postgres.database({ migrated: true });
  await withEngineNodes(url, async (author, nodes) => {
    // The tasks are written in one transaction before the nodes start: on a busy machine, written one
    // by one they took longer than the 30 s before they were due.
    const at = Date.now() + 30_000;
    const def = {
      schedule: { kind: 'once', at: new Date(at).toISOString() },
      jobs: [{ name: 'noop', module: 'noop', targets: { server: true } }],
    };
    await author.addTasks(def, TASKS);
    // No node is killed here: a long lease keeps a slow pass on a busy machine from looking like a dead node.
    const options = { leaseMs: 20_000, executorConcurrency: 10, maxSleepMs: 1_000 };
    nodes.push(...(await Promise.all([1, 2, 3].map(() => startEngineNode(url, options)))));
    assert.ok(Date.now() < at - 1_000, 'the tasks were written and the nodes started before the tasks were due');

    await until(
      'every run to finish',
      async () => (await author.store.runs.countByStatus()).finished === TASKS,
      120_000,
    );
    const finishedBy = await Promise.all(
      nodes.map(async (node) => {
        assert.equal(await node.stop(), 0);
        return Number(/^finished (\d+)$/m.exec(node.output())?.[1]);
      }),
    );

    const [runs] = await query<{ n: string; firings: string; finished: string; started: string }>(
      url,
      `select count(*) as n, count(distinct (task_id, fire_at)) as firings,
              count(*) filter (where status = 'finished') as finished,
              count(*) filter (where started_at is not null) as started
       from runs`,
    );
    assert.deepEqual(runs, { n: '1000', firings: '1000', finished: '1000', started: '1000' });
    const [fireAt] = await query<{ n: string }>(url, 'select count(*) as n from runs where fire_at <> $1', [at]);
    assert.equal(fireAt?.n, '0', 'every run is the firing due at that instant');

    const jobstates = await query<{ status: string; attempt: number; n: string }>(
      url,
      'select status, attempt::int as attempt, count(*) as n from jobstates group by status, attempt',
    );
    assert.deepEqual(jobstates, [{ status: 'finished', attempt: 1, n: '1000' }]);
    const chunkRuns = await query<{ lines: string; n: string }>(
      url,
      `select lines, count(*) as n from (
         select count(l.id) as lines from jobstates j
         left join logs l on l.jobstate_id = j.id and l.line like 'chunk %' group by j.id) per_job
       group by lines`,
    );
    assert.deepEqual(chunkRuns, [{ lines: '1', n: '1000' }], 'each job ran its one chunk once');

    assert.equal(
      finishedBy.reduce((sum, n) => sum + n, 0),
      TASKS,
      `jobs finished per node: ${finishedBy}`,
    );
    assert.ok(
      finishedBy.every((n) => n > 0),
      `every node took part: ${finishedBy}`,
    );
  });
});
