// `npm run bench -- peers`: Taskwarden against graphile-worker and pg-boss on one workload.
//   (a) 20,000 trivial jobs submitted one by one by 10 concurrent clients while the workers
//       run (concurrency 10 per worker process): jobs/s, first submission to last end
//   (b) 1,000 trivial jobs due at one instant: p99 start lateness
// Contenders: Taskwarden on SQLite (one engine in this process), Taskwarden on PostgreSQL
// with one and with three engine nodes (separate processes), graphile-worker 0.17 and
// pg-boss 10 (in this process), every PostgreSQL one on its own fresh database of one
// throwaway server (test/support/postgres.ts: fsync off, so the disk is nobody's limit).
// Ratios are to graphile-worker. Sizes scale for a quick look: BENCH_SCALE=0.1 npm run bench -- peers
// Contenders can be picked by key (graphile-worker always runs, as the base):
//   npm run bench -- peers sqlite pg-1      (keys: pg-boss, sqlite, pg-1, pg-3)
import { fmt, percentile, printTable } from '../src/cli/table.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { graphileWorker, pgBoss } from './peers/queues.ts';
import { taskwardenPostgres, taskwardenSqlite } from './peers/taskwarden.ts';
import type { Contender } from './peers/workload.ts';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const n = (count: number) => Math.max(1, Math.round(count * scale));

interface Result {
  name: string;
  jobsPerSecond: number;
  p99: number;
}

async function measure(contender: Contender): Promise<Result> {
  process.stderr.write(`peers: ${contender.name}: (a) ${n(20_000)} jobs…\n`);
  const seconds = await contender.throughput(n(20_000));
  process.stderr.write(`peers: ${contender.name}: (b) ${n(1_000)} jobs due at one instant…\n`);
  const late = await contender.lateness(n(1_000));
  if (late.length !== n(1_000)) throw new Error(`${contender.name}: ${late.length} of ${n(1_000)} jobs started`);
  const result = { name: contender.name, jobsPerSecond: n(20_000) / seconds, p99: percentile(late, 99) };
  process.stderr.write(
    `peers: ${contender.name}: ${fmt(result.jobsPerSecond, 0)} jobs/s, p99 ${fmt(result.p99, 0)} ms\n`,
  );
  return result;
}

export default async function peersBench(args: string[]): Promise<void> {
  const server = await startPostgres();
  try {
    const database = () => server.createDatabase();
    const all: Record<string, Contender> = {
      'pg-boss': pgBoss(database),
      sqlite: taskwardenSqlite(),
      'pg-1': taskwardenPostgres(database, 1),
      'pg-3': taskwardenPostgres(database, 3),
    };
    const unknown = args.filter((key) => !(key in all));
    if (unknown.length > 0)
      throw new Error(`peers: unknown contender ${unknown.join(', ')}; keys: ${Object.keys(all).join(', ')}`);
    const picked = args.length > 0 ? args.map((key) => all[key] as Contender) : Object.values(all);
    const contenders = [graphileWorker(database), ...picked];
    const results: Result[] = [];
    for (const contender of contenders) results.push(await measure(contender));
    const base = results[0] as Result;
    printTable(
      `Peers: (a) ${n(20_000)} trivial jobs, concurrency 10 per process; (b) ${n(1_000)} jobs due at one instant`,
      results.map((r) => ({
        contender: r.name,
        'jobs/s': fmt(r.jobsPerSecond, 0),
        'jobs/s vs graphile': `${fmt(r.jobsPerSecond / base.jobsPerSecond, 2)}x`,
        'p99 lateness': `${fmt(r.p99, 0)} ms`,
        'p99 vs graphile': `${fmt(r.p99 / base.p99, 2)}x`,
      })),
    );
  } finally {
    await server.stop();
  }
}
