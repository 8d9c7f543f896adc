// `npm run bench -- schedule [throughput|load] [--tasks N] [--json]`, both parts by default.
//   throughput: next-firing throughput of the schedule core: 100,000 successive firings per
//     kind in Europe/Paris, beside croner's own nextRuns on the same cron expression (croner
//     doing its own time-zone work), so the cost of our DST layer is visible.
//   load: 100,000 recurring schedules loaded into a real server (its own process, SQLite)
//     through POST /api/v1/tasks:batch (schedule-load.ts).
import { Cron } from 'croner';
import { printTable } from '../src/cli/table.ts';
import type { ScheduleSpec } from '../src/core/model.ts';
import { compileSchedule } from '../src/core/schedule/index.ts';
import { loadBench } from './support/schedule-load.ts';

const FIRINGS = 100_000;
const TZ = 'Europe/Paris';
const START = Date.parse('2026-01-01T00:00:00Z');
const CRON = '0 2 * * 1-5';

const SCHEDULES: Array<[string, ScheduleSpec]> = [
  [`cron "${CRON}"`, { kind: 'cron', expr: CRON, tz: TZ }],
  ['weekly mon,wed,fri 09:00', { kind: 'weekly', days: ['mon', 'wed', 'fri'], at: '09:00', tz: TZ }],
  ['monthly 2nd tue 09:00', { kind: 'monthly', nth: 2, weekday: 'tue', at: '09:00', tz: TZ }],
];

/** Firings per second of `run`, which computes FIRINGS firings; best of three runs. */
function throughput(run: () => number): { perSecond: number; last: number } {
  let best = Number.POSITIVE_INFINITY;
  let last = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    last = run();
    best = Math.min(best, performance.now() - t0);
  }
  return { perSecond: (FIRINGS / best) * 1000, last };
}

function ours(spec: ScheduleSpec): () => number {
  return () => {
    const schedule = compileSchedule(spec);
    let t = START;
    for (let i = 0; i < FIRINGS; i++) t = schedule.next(t) as number;
    return t;
  };
}

export default async function scheduleBench(args: string[]): Promise<void> {
  const part = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  if (part !== 'load') throughputTable();
  if (part !== 'throughput') await loadBench(args);
}

function throughputTable(): void {
  const croner = throughput(() => {
    const runs = new Cron(CRON, { timezone: TZ, paused: true }).nextRuns(FIRINGS, new Date(START));
    return (runs[runs.length - 1] as Date).getTime();
  });
  const rows = [
    ...SCHEDULES.map(([name, spec]) => ({ name, ...throughput(ours(spec)) })),
    { name: `croner nextRuns "${CRON}"`, ...croner },
  ];
  printTable(
    `next-firing throughput, ${FIRINGS.toLocaleString('en-US')} successive firings, ${TZ}, node ${process.version}`,
    rows.map((row) => ({
      schedule: row.name,
      'firings/s': Math.round(row.perSecond).toLocaleString('en-US'),
      'vs croner': `${(row.perSecond / croner.perSecond).toFixed(2)}x`,
      'last firing': new Date(row.last).toISOString(),
    })),
  );
  // Same expression and zone, and Paris transitions fall on Sundays: both must end on the same firing.
  if (rows[0]?.last !== croner.last) console.log("\nwarning: the last cron firing differs from croner's");
}
