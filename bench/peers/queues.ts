// The job queues Taskwarden is compared with, each on a fresh database of the same
// PostgreSQL server, its worker in the bench process with the same concurrency, and the
// trivial job an empty async function.
import { createRequire } from 'node:module';
import { Logger, makeWorkerUtils, run as runGraphileWorker } from 'graphile-worker';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { CONCURRENCY, type Contender, dueInstant, submitAll, until } from './workload.ts';

type Database = () => Promise<{ url: string; drop(): Promise<void> }>;

/** What one contender needs: submit a job (due at `at`, or now), start its workers, stop everything. */
interface Queue {
  submit(payload: { at: number }, runAt?: Date): Promise<unknown>;
  startWorkers(onJob: (payload: { at: number }) => void): Promise<void>;
  close(): Promise<void>;
}

function queueContender(name: string, open: () => Promise<Queue>): Contender {
  return {
    name,
    async throughput(count) {
      const queue = await open();
      try {
        let done = 0;
        await queue.startWorkers(() => {
          done++;
        });
        const started = performance.now();
        await submitAll(count, () => queue.submit({ at: Date.now() }));
        await until('every job to end', () => done === count);
        return (performance.now() - started) / 1000;
      } finally {
        await queue.close();
      }
    },
    async lateness(count) {
      const queue = await open();
      try {
        const late: number[] = [];
        await queue.startWorkers((payload) => late.push(Date.now() - payload.at));
        const due = dueInstant();
        await submitAll(count, () => queue.submit({ at: due.at }, new Date(due.at)));
        due.assertBefore('submitting the jobs');
        await until('every job to start', () => late.length === count);
        return late;
      } finally {
        await queue.close();
      }
    },
  };
}

/** graphile-worker 0.17 with its defaults: LISTEN/NOTIFY for new jobs, polling (2 s) for future ones. */
export function graphileWorker(database: Database): Contender {
  return queueContender(`graphile-worker ${versionOf('graphile-worker')}`, async () => {
    const db = await database();
    // Our own pool, ended by us: the database is dropped WITH (FORCE) after, and a pool
    // graphile-worker still ends in the background would die of it unhandled.
    const pgPool = new pg.Pool({ connectionString: db.url, max: CONCURRENCY + 2 });
    pgPool.on('error', () => {});
    pgPool.on('connect', (client) => client.on('error', () => {}));
    const utils = await makeWorkerUtils({ pgPool });
    await utils.migrate();
    let runner: Awaited<ReturnType<typeof runGraphileWorker>> | null = null;
    return {
      submit: (payload, runAt) => utils.addJob('noop', payload, runAt ? { runAt } : {}),
      async startWorkers(onJob) {
        runner = await runGraphileWorker({
          pgPool,
          concurrency: CONCURRENCY,
          noHandleSignals: true,
          logger: new Logger(() => () => {}),
          taskList: { noop: async (payload) => onJob(payload as { at: number }) },
        });
      },
      async close() {
        await runner?.stop();
        await utils.release();
        await pgPool.end();
        await db.drop();
      },
    };
  });
}

/** pg-boss 10: polling only, at its floor of 0.5 s (default 2 s); one `work` call per concurrent worker. */
export function pgBoss(database: Database): Contender {
  return queueContender(`pg-boss ${versionOf('pg-boss')}`, async () => {
    const db = await database();
    const boss = new PgBoss({ connectionString: db.url, max: CONCURRENCY + 2 });
    boss.on('error', (err) => process.stderr.write(`pg-boss: ${err.message}\n`));
    await boss.start();
    await boss.createQueue('noop');
    return {
      submit: (payload, runAt) => boss.send('noop', payload, runAt ? { startAfter: runAt } : {}),
      async startWorkers(onJob) {
        for (let i = 0; i < CONCURRENCY; i++) {
          await boss.work<{ at: number }>('noop', { pollingIntervalSeconds: 0.5 }, async ([job]) => {
            if (job) onJob(job.data);
          });
        }
      },
      async close() {
        await boss.stop({ graceful: false, wait: true });
        await db.drop();
      },
    };
  });
}

function versionOf(pkg: string): string {
  return (createRequire(import.meta.url)(`${pkg}/package.json`) as { version: string }).version;
}
