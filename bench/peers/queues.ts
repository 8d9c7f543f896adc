// The job queues Taskwarden is compared with, each on a fresh database (PostgreSQL: of the
// same throwaway server; BullMQ: a fresh queue of one throwaway redis-server), its worker in
// the bench process with the same concurrency, and the trivial job an empty function.
// Each is configured as its documentation recommends for throughput:
//   graphile-worker: LISTEN/NOTIFY for new jobs, pollInterval 100 ms for future ones,
//     useNodeTime, a local queue of 500 jobs and batched completions (its "Performance" page)
//   graphile-worker, batched: the same, with jobs whose payload is an array of BATCH items
//     (its batch jobs: one job row carries many), each item counted as a job
//   pg-boss: polling only (no notifications), at its floor of 0.5 s, each worker fetching
//     batchSize jobs at a time (its docs: the default is 1 job every 2 seconds)
//   BullMQ: a Worker of the same concurrency; jobs added with addBulk
import { createRequire } from 'node:module';
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
import { Logger, makeWorkerUtils, run as runGraphileWorker } from 'graphile-worker';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { waitFor } from '../support/limits.ts';
import type { RedisServer } from '../support/redis.ts';
import { CONCURRENCY, type Contender, dueInstant, submitChunks } from './workload.ts';

type Database = () => Promise<{ url: string; drop(): Promise<void> }>;
interface Payload {
  at: number;
}

/** Items per graphile-worker batch job. */
const BATCH = 100;
/** Jobs per bulk insert call. */
const CHUNK = 1_000;
const PG_BOSS_BATCH = 50;

/** What one contender needs: enqueue jobs (due at `runAt`, or now), start its workers, stop everything. */
interface Queue {
  enqueue(count: number, payload: Payload, runAt?: Date): Promise<void>;
  startWorkers(onJob: (payload: Payload) => void): Promise<void>;
  close(): Promise<void>;
}

function queueContender(name: string, open: () => Promise<Queue>): Contender {
  return {
    name,
    async throughput(count, limitMs) {
      const queue = await open();
      try {
        let done = 0;
        await queue.enqueue(count, { at: Date.now() });
        const started = performance.now();
        await queue.startWorkers(() => {
          done++;
        });
        await waitFor(`${name}: every job to end`, () => done === count, { limitMs, seen: () => ({ done, count }) });
        return (performance.now() - started) / 1000;
      } finally {
        await queue.close();
      }
    },
    async lateness(count, limitMs) {
      const queue = await open();
      try {
        const late: number[] = [];
        await queue.startWorkers((payload) => late.push(Date.now() - payload.at));
        const due = dueInstant();
        await queue.enqueue(count, { at: due.at }, new Date(due.at));
        due.assertBefore('enqueuing the jobs');
        await waitFor(`${name}: every job to start`, () => late.length === count, {
          limitMs: limitMs + (due.at - Date.now()),
          seen: () => ({ started: late.length, count }),
        });
        return late;
      } finally {
        await queue.close();
      }
    },
  };
}

/** graphile-worker, tuned; with `batched`, jobs carry BATCH items each. */
export function graphileWorker(database: Database, batched: boolean): Contender {
  const name = `graphile-worker ${versionOf('graphile-worker')}${batched ? `, batch jobs of ${BATCH}` : ''}`;
  return queueContender(name, async () => {
    const db = await database();
    // Our own pool, ended by us: the database is dropped WITH (FORCE) after, and a pool
    // graphile-worker still ends in the background would die of it unhandled.
    const pgPool = new pg.Pool({ connectionString: db.url, max: CONCURRENCY + 2 });
    pgPool.on('error', () => {});
    pgPool.on('connect', (client) => client.on('error', () => {}));
    const utils = await makeWorkerUtils({ pgPool });
    await utils.migrate();
    let runner: Awaited<ReturnType<typeof runGraphileWorker>> | null = null;
    const per = batched ? BATCH : 1;
    return {
      enqueue: (count, payload, runAt) =>
        submitChunks(Math.ceil(count / per), CHUNK, (first, size) =>
          utils.addJobs(
            Array.from({ length: size }, (_, i) => ({
              identifier: 'noop',
              payload: batched ? Array(Math.min(per, count - (first + i) * per)).fill(payload) : payload,
              ...(runAt ? { runAt } : {}),
            })),
          ),
        ),
      async startWorkers(onJob) {
        runner = await runGraphileWorker({
          pgPool,
          concurrency: CONCURRENCY,
          pollInterval: 100,
          useNodeTime: true,
          noHandleSignals: true,
          logger: new Logger(() => () => {}),
          preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
          taskList: {
            noop: async (payload) => {
              for (const item of batched ? (payload as Payload[]) : [payload as Payload]) onJob(item);
            },
          },
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

/** pg-boss, tuned: CONCURRENCY workers, each fetching up to PG_BOSS_BATCH jobs every 0.5 s at most. */
export function pgBoss(database: Database): Contender {
  return queueContender(`pg-boss ${versionOf('pg-boss')}`, async () => {
    const db = await database();
    const boss = new PgBoss({ connectionString: db.url, max: CONCURRENCY + 2 });
    boss.on('error', (err) => process.stderr.write(`pg-boss: ${err.message}\n`));
    await boss.start();
    await boss.createQueue('noop');
    return {
      enqueue: (count, payload, runAt) =>
        submitChunks(count, CHUNK, (_, size) =>
          boss.insert(
            Array.from({ length: size }, () => ({
              name: 'noop',
              data: payload,
              ...(runAt ? { startAfter: runAt } : {}),
            })),
          ),
        ),
      async startWorkers(onJob) {
        const options = { batchSize: PG_BOSS_BATCH, pollingIntervalSeconds: 0.5 };
        for (let i = 0; i < CONCURRENCY; i++) {
          await boss.work<Payload>('noop', options, async (jobs) => {
            for (const job of jobs) onJob(job.data);
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

/** BullMQ on the bench's redis-server, a fresh queue each time. */
export function bullMq(redis: () => RedisServer): Contender {
  let queues = 0;
  return queueContender(`BullMQ ${versionOf('bullmq')}`, async () => {
    const { host, port } = redis();
    const connection = { host, port, maxRetriesPerRequest: null };
    const name = `noop-${process.pid}-${queues++}`;
    const queue = new BullQueue<Payload>(name, { connection });
    let worker: BullWorker<Payload> | null = null;
    return {
      enqueue: (count, payload, runAt) =>
        submitChunks(count, CHUNK, (_, size) =>
          queue.addBulk(
            Array.from({ length: size }, () => ({
              name: 'noop',
              data: payload,
              opts: runAt ? { delay: Math.max(0, runAt.getTime() - Date.now()) } : {},
            })),
          ),
        ),
      async startWorkers(onJob) {
        worker = new BullWorker<Payload>(name, async (job) => onJob(job.data), {
          connection,
          concurrency: CONCURRENCY,
        });
        await worker.waitUntilReady();
      },
      async close() {
        await worker?.close(true);
        await queue.obliterate({ force: true });
        await queue.close();
      },
    };
  });
}

/**
 * Why BullMQ cannot run here, or null: it needs a Redis client, `ioredis`, an optional peer
 * dependency of bullmq that is not installed with it.
 */
export function bullMqMissing(): string | null {
  try {
    createRequire(createRequire(import.meta.url).resolve('bullmq')).resolve('ioredis');
    return null;
  } catch {
    return "BullMQ needs the Redis client 'ioredis' (bullmq's optional peer dependency): npm install -D ioredis";
  }
}

function versionOf(pkg: string): string {
  return (createRequire(import.meta.url)(`${pkg}/package.json`) as { version: string }).version;
}
