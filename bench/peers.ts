// `npm run bench -- peers [keys…] [--jobs N] [--due N] [--json]`: Taskwarden beside job queues.
//   (a) --jobs (20,000) trivial jobs enqueued before any worker runs, then drained: jobs/s
//   (b) --due (1,000) trivial jobs due at one instant: p99 start lateness
// Contenders (keys): graphile (graphile-worker), graphile-batched (its batch jobs), pg-boss,
// bullmq (BullMQ on a throwaway redis-server: bench/support/redis.ts), and Taskwarden:
// sqlite (one engine in this process), pg-1 and pg-3 (one and three engine processes on
// PostgreSQL). Every PostgreSQL one gets its own fresh database of one throwaway server
// (test/support/postgres.ts: fsync off, so the disk is nobody's limit); every peer is
// configured as its docs recommend for throughput (bench/peers/queues.ts), with the same
// concurrency (10 per worker process). No key: all of them. Ratios: each Taskwarden figure
// ÷ each peer's (jobs/s: higher is better; p99: lower is better). Every wait ends at
// --limit seconds (default 600) with what it saw.
import { fmt, percentile } from '../src/cli/table.ts';
import { type PostgresServer, startPostgres } from '../test/support/postgres.ts';
import { bullMq, bullMqMissing, graphileWorker, pgBoss } from './peers/queues.ts';
import { taskwardenPostgres, taskwardenSqlite } from './peers/taskwarden.ts';
import type { Contender } from './peers/workload.ts';
import { numberOption, positional, report } from './support/args.ts';
import { watchdog } from './support/limits.ts';
import { type RedisServer, startRedis } from './support/redis.ts';

interface Result {
  key: string;
  name: string;
  jobsPerSecond: number;
  p99Ms: number;
}

const PEERS = ['graphile', 'graphile-batched', 'pg-boss', 'bullmq'];

async function measure(key: string, contender: Contender, jobs: number, due: number, limitMs: number): Promise<Result> {
  process.stderr.write(`peers: ${contender.name}: (a) ${jobs} jobs…\n`);
  const seconds = await contender.throughput(jobs, limitMs);
  process.stderr.write(`peers: ${contender.name}: (b) ${due} jobs due at one instant…\n`);
  const late = await contender.lateness(due, limitMs);
  if (late.length !== due) throw new Error(`${contender.name}: ${late.length} of ${due} jobs started`);
  const result = { key, name: contender.name, jobsPerSecond: jobs / seconds, p99Ms: percentile(late, 99) };
  process.stderr.write(
    `peers: ${contender.name}: ${fmt(result.jobsPerSecond, 0)} jobs/s, p99 ${fmt(result.p99Ms, 0)} ms\n`,
  );
  return result;
}

export default async function peersBench(args: string[]): Promise<void> {
  const jobs = numberOption(args, '--jobs', 20_000);
  const due = numberOption(args, '--due', 1_000);
  const limitMs = numberOption(args, '--limit', 600) * 1000;
  let postgres: PostgresServer | null = null;
  let redis: RedisServer | null = null;
  const database = async () => {
    postgres ??= await startPostgres();
    return postgres.createDatabase();
  };
  const all: Record<string, Contender> = {
    graphile: graphileWorker(database, false),
    'graphile-batched': graphileWorker(database, true),
    'pg-boss': pgBoss(database),
    bullmq: bullMq(() => redis as RedisServer),
    sqlite: taskwardenSqlite(),
    'pg-1': taskwardenPostgres(database, 1),
    'pg-3': taskwardenPostgres(database, 3),
  };
  const keys = positional(args, ['--jobs', '--due', '--limit']);
  const unknown = keys.filter((key) => !(key in all));
  if (unknown.length > 0)
    throw new Error(`peers: unknown contender ${unknown.join(', ')}; keys: ${Object.keys(all).join(', ')}`);
  const missing = bullMqMissing();
  if (missing && keys.includes('bullmq')) throw new Error(missing);
  // All of them, but BullMQ when it cannot run here: said, not hidden.
  const picked = keys.length > 0 ? keys : Object.keys(all).filter((key) => key !== 'bullmq' || !missing);
  if (missing && keys.length === 0) process.stderr.write(`peers: BullMQ left out: ${missing}\n`);
  // Two measures per contender, each bounded by --limit (plus the due margin).
  watchdog('peers', picked.length * 3 * limitMs);
  const results: Result[] = [];
  try {
    if (picked.includes('bullmq')) redis = await startRedis();
    for (const key of picked) results.push(await measure(key, all[key] as Contender, jobs, due, limitMs));
  } finally {
    await redis?.stop();
    await (postgres as PostgresServer | null)?.stop();
  }
  const peers = results.filter((r) => PEERS.includes(r.key));
  const ratios = results
    .filter((r) => !PEERS.includes(r.key))
    .map((r) => ({
      contender: r.name,
      ...Object.fromEntries(
        peers.map((p) => [
          `vs ${p.key} (jobs/s, p99)`,
          `${fmt(r.jobsPerSecond / p.jobsPerSecond, 2)}x, ${fmt(r.p99Ms / p.p99Ms, 2)}x`,
        ]),
      ),
    }));
  const title = `Peers: (a) ${jobs} trivial jobs enqueued, then drained, concurrency 10 per process; (b) ${due} jobs due at one instant`;
  report(args, {
    bench: 'peers',
    tables: [
      {
        title,
        rows: results.map((r) => ({
          contender: r.name,
          'jobs/s': fmt(r.jobsPerSecond, 0),
          'p99 lateness': `${fmt(r.p99Ms, 0)} ms`,
        })),
      },
      { title: '\nTaskwarden ÷ each peer', rows: peers.length > 0 ? ratios : [] },
      { title: '', rows: missing && keys.length === 0 ? [{ 'left out': missing }] : [] },
    ],
    figures: { jobs, due, results, ratios, ...(missing && keys.length === 0 ? { bullmqLeftOut: missing } : {}) },
  });
}
