// Fault: three nodes on one PostgreSQL database, 1,000 tasks due at the same instant, and
// one node SIGSTOPped in the middle of a transaction while it holds leases, as a frozen VM
// or a debugger would leave it. The other two must fire and finish everything without it
// (its locks and leases cannot hold them up for long); once SIGCONTed it must notice it
// lost its leases and write nothing more: every firing one run, every chunk counted once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { type EngineNode, query, RESUME_MARKER, startEngineNode, until, withEngineNodes } from '../cluster/support.ts';
import { postgresForFile } from '../support/postgres.ts';

const postgres = postgresForFile();
const TASKS = 1_000;
const CHUNKS = 2;
const VICTIM = 'taskwarden-victim';

/** Where things stand, for a failure message: runs and jobstates by status, sessions by state. */
async function stateOf(url: string): Promise<Record<string, unknown>> {
  return {
    runs: await query(url, 'select status, count(*) as n from runs group by status'),
    jobstates: await query(url, 'select status, reason, count(*) as n from jobstates group by status, reason'),
    triggers: await query(url, 'select count(*) as n from triggers'),
    running: await query(
      url,
      `select id, lease_owner, lease_expires_at - floor(extract(epoch from clock_timestamp()) * 1000) as lease_left_ms,
              attempt, checkpoint, reason from jobstates where status = 'running'`,
    ),
    nodes: await query(url, 'select id, pid, seen_at, stopped_at from nodes'),
    sessions: await query(
      url,
      `select application_name, state, wait_event_type, left(query, 80) as query from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid()`,
    ),
  };
}

/**
 * Freezes `victim` at a moment it holds leases and is inside a transaction that wrote or
 * locked rows (it has a transaction id; its pool connections are named by PGAPPNAME): frozen,
 * it keeps those locks. Tries SIGSTOP until the database shows both; a try that missed
 * thaws it again at once. Returns the jobstates it holds.
 */
async function freezeMidTransaction(
  url: string,
  victim: EngineNode,
): Promise<{ held: string[]; tries: number; statement: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let tries = 1; tries <= 1_000; tries++) {
      victim.signal('SIGSTOP');
      await sleep(20);
      const { rows } = await client.query<{ held: string[] | null; statement: string | null }>(
        `select (select array_agg(id order by id) from jobstates where status = 'running' and lease_owner like $1) as held,
                (select left(query, 60) from pg_stat_activity where application_name = $2
                 and datname = current_database() and backend_xid is not null limit 1) as statement`,
        [`${victim.nodeId}/%`, VICTIM],
      );
      const { held, statement } = rows[0] ?? { held: null, statement: null };
      if (held && statement) return { held, tries, statement };
      victim.signal('SIGCONT');
      await sleep(Math.random() * 10);
    }
  } finally {
    await client.end();
  }
  throw new Error('the victim was never caught inside a transaction while holding leases');
}

test('1,000 due at once, a node SIGSTOPped mid-transaction: the others finish all, it resumes and writes nothing', {
  timeout: 240_000,
}, async () => {
  const url = await postgres.database({ migrated: true });
  await withEngineNodes(url, async (author, nodes) => {
    // The nodes start first (slow on a loaded machine); the tasks, written in bulk, wake none of them:
    // the nodes find them due by polling (maxSleepMs).
    const options = { leaseMs: 5_000, executorConcurrency: 20, maxSleepMs: 500 };
    const started = await Promise.all([
      startEngineNode(url, options, { PGAPPNAME: VICTIM }),
      startEngineNode(url, options),
      startEngineNode(url, options),
    ]);
    nodes.push(...started);
    const [victim] = started;
    // One transaction: the 1,000 appear together, due at one instant even if the write ends after it.
    const at = Date.now() + 3_000;
    const def = {
      schedule: { kind: 'once', at: new Date(at).toISOString() },
      // A job the victim held in its first chunk has no checkpoint: it ends interrupted and is retried.
      jobs: [
        {
          name: 'work',
          module: 'noop',
          params: { chunks: CHUNKS, sleepMs: 50 },
          targets: { server: true },
          retry: { attempts: 3, backoff: '1s' },
        },
      ],
    };
    await author.addTasks(def, TASKS);

    await until('the tasks to be due', async () => Date.now() >= at, 60_000);
    const { held, tries, statement } = await freezeMidTransaction(url, victim);
    const frozenAt = Date.now();
    const { finished: finishedAtFreeze = 0 } = await author.store.runs.countByStatus();

    // The survivors fire and finish every run while the victim stays frozen.
    const progress: number[] = [];
    await until(
      'every run to finish without the frozen node',
      async () => {
        const { finished = 0 } = await author.store.runs.countByStatus();
        const second = Math.floor((Date.now() - frozenAt) / 5_000);
        progress[second] = finished;
        return finished === TASKS;
      },
      150_000,
    ).catch(async (error: Error) => {
      const said = nodes.map((node) =>
        node
          .output()
          .split('\n')
          .filter((line) => !line.startsWith('info:')),
      );
      throw new Error(`${error.message}: ${progress.join(' ')} ${JSON.stringify({ ...(await stateOf(url)), said })}`);
    });
    const finishedWithoutVictim = Date.now() - frozenAt;
    for (const id of held) {
      const js = await author.store.jobstates.get(id);
      assert.equal(js?.status, 'finished', `jobstate ${id} the victim held was taken over`);
    }

    victim.signal('SIGCONT');
    const thawedAt = Date.now();
    // Thawed, it must find out its leases are gone: each chunk it had in flight is dropped.
    const undropped = () => held.filter((id) => !victim.output().includes(`jobstate ${id}: no longer ours`));
    await until('the thawed node to drop the chunks it held', async () => undropped().length === 0, 30_000).catch(
      (error: Error) => {
        const about = victim
          .output()
          .split('\n')
          .filter((line) => undropped().some((id) => line.includes(id)) || line.startsWith('warn: taskwarden engine'));
        throw new Error(`${error.message}: ${undropped().length} of ${held.length} not dropped\n${about.join('\n')}`);
      },
    );
    // A heartbeat written after another one after the thaw: it made at least one whole pass since.
    await until('the thawed node to make a pass', async () => {
      const [row] = await query<{ seen_at: string }>(url, 'select seen_at from nodes where id = $1', [victim.nodeId]);
      return Number(row?.seen_at) > thawedAt + options.leaseMs / 3;
    });

    const finishedBy = await Promise.all(
      nodes.map(async (node) => {
        assert.equal(await node.stop(), 0, node.output());
        return Number(/^finished (\d+)$/m.exec(node.output())?.[1]);
      }),
    );
    assert.equal(
      finishedBy.reduce((sum, n) => sum + n, 0),
      TASKS,
      `jobs finished per node (victim first): ${finishedBy}`,
    );

    const [runs] = await query<{ n: string; firings: string; finished: string }>(
      url,
      `select count(*) as n, count(distinct (task_id, fire_at)) as firings,
              count(*) filter (where status = 'finished') as finished
       from runs`,
    );
    assert.deepEqual(runs, { n: '1000', firings: '1000', finished: '1000' });
    const [jobstates] = await query<{ n: string; finished: string }>(
      url,
      `select count(*) as n, count(*) filter (where status = 'finished') as finished from jobstates`,
    );
    assert.deepEqual(jobstates, { n: '1000', finished: '1000' });

    // Every chunk counted once: each jobstate's log has chunk 1..CHUNKS, in order, once each,
    // and its result is that of its last attempt.
    const expected = Array.from({ length: CHUNKS }, (_, i) => `chunk ${i + 1}/${CHUNKS}`).join(',');
    const wrong = await query<{ id: string; chunks: string | null; result: string; attempt: string }>(
      url,
      `select j.id, j.result, j.attempt,
              (select string_agg(l.line, ',' order by l.id) from logs l
               where l.jobstate_id = j.id and l.line like 'chunk %') as chunks
       from jobstates j`,
    ).then((rows) =>
      rows.filter((js) => {
        const result = JSON.parse(js.result) as { chunks: number; attempt: number };
        return js.chunks !== expected || result.chunks !== CHUNKS || result.attempt !== Number(js.attempt);
      }),
    );
    assert.deepEqual(wrong, [], 'every jobstate ran each chunk once');
    for (const id of held) {
      const { items } = await author.store.logs.list(id, { limit: 1000 });
      const js = await author.store.jobstates.get(id);
      assert.ok(
        items.some((line) => line.line === RESUME_MARKER) || (js?.attempt ?? 1) > 1,
        `jobstate ${id} the victim held was resumed from its checkpoint or retried`,
      );
    }
    process.stdout.write(
      `# victim frozen after ${tries} tries holding ${held.length} leases, ${finishedAtFreeze} runs finished, ` +
        `in a transaction at: ${statement}; ` +
        `the others finished everything ${finishedWithoutVictim} ms later (finished runs every 5 s: ${progress.join(' ')})\n`,
    );
  });
});
