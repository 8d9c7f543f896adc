// The load part of `npm run bench -- schedule`: a real server in its own process (SQLite),
// N daily schedules (default 100,000) with their first firings spread over a day, loaded
// through POST /api/v1/tasks:batch in chunks of the most it takes; then a minute of watching
// (about N / 1,440 firings). Printed: load time, firing lateness p50/p99 (run start − fire
// time, server clock), the server's CPU over the watched minute (all its threads, and its main
// thread alone: V8's collector and the WAL checkpoints work on others), its RSS at the end.
// Every wait has a time limit; `--json` adds one machine-readable line.
// SCHEDULE_SERVER_CPU_PROF=<folder>: the server runs under `node --cpu-prof` and writes its
// profile there when the bench stops it (SIGTERM: a clean exit).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt, percentile, printTable } from '../../src/cli/table.ts';
import { MAX_BATCH_TASKS } from '../../src/protocol/tasks.ts';
import { serverArgv } from '../../test/support/cli.ts';
import { cpuSecondsOf, memoryOf, start } from './processes.ts';

const DAY = 86_400_000;
const LIMIT_MS = { serverStart: 120_000, request: 120_000, load: 600_000 };
/** The watched minute starts this long after the load ended at the latest: the first firings are due by then. */
const WATCH_MS = 60_000;
/** First firings begin this long after the load starts, so that the watched minute sees firings only. */
const FIRST_FIRING_AFTER_MS = 90_000;

interface Api {
  url: string;
  token: string;
}

// biome-ignore lint/suspicious/noExplicitAny: replies are read field by field
async function call(api: Api, method: string, path: string, body?: unknown): Promise<any> {
  const reply = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${api.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(LIMIT_MS.request),
  });
  const json = await reply.json();
  if (!reply.ok) throw new Error(`${method} ${path}: HTTP ${reply.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

function taskDefs(count: number, origin: number, from: number, to: number) {
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    const start = new Date(origin + FIRST_FIRING_AFTER_MS + Math.floor((i / count) * DAY)).toISOString();
    return {
      name: `daily-${i}`,
      schedule: { kind: 'interval', every: '1d', start },
      jobs: [{ name: 'noop', module: 'noop', targets: { server: true } }],
    };
  });
}

/** Lateness (ms) of every scheduled run started in [since, until). */
async function latenessOf(api: Api, since: number, until: number): Promise<number[]> {
  const late: number[] = [];
  const window = `since=${new Date(since).toISOString()}&until=${new Date(until).toISOString()}`;
  for (let after: string | null = ''; after !== null; ) {
    const page = await call(api, 'GET', `/api/v1/runs?org=bench&limit=1000&${window}${after ? `&after=${after}` : ''}`);
    for (const run of page.items) {
      if (run.reason === 'schedule' && run.startedAt) late.push(Date.parse(run.startedAt) - Date.parse(run.fireAt));
    }
    after = page.next;
  }
  return late;
}

export async function loadBench(args: string[]): Promise<void> {
  const at = args.indexOf('--tasks');
  const count = at >= 0 ? Number(args[at + 1]) : 100_000;
  const dir = await mkdtemp(join(tmpdir(), 'tw-schedule-'));
  const profileDir = process.env['SCHEDULE_SERVER_CPU_PROF'];
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const server = start([...profile, ...serverArgv('--data', join(dir, 'data'), '--port', '0')], {
    env: { ...process.env, TASKWARDEN_LOG_LEVEL: 'warn', TASKWARDEN_TEST_MODULES: '1' },
  });
  try {
    const url = await server.waitFor(/listening on (http:\/\/\S+)/, LIMIT_MS.serverStart);
    const api = { url, token: (await readFile(join(dir, 'data', 'admin.token'), 'utf8')).trim() };
    await call(api, 'POST', '/api/v1/orgs', { name: 'bench' });
    const pid = server.child.pid as number;

    const origin = Date.now();
    const loadStart = performance.now();
    for (let from = 0; from < count; from += MAX_BATCH_TASKS) {
      const tasks = taskDefs(count, origin, from, Math.min(count, from + MAX_BATCH_TASKS));
      await call(api, 'POST', '/api/v1/tasks:batch?org=bench', { tasks });
      if (performance.now() - loadStart > LIMIT_MS.load) throw new Error(`load not done within ${LIMIT_MS.load} ms`);
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;

    // Watch a minute in which firings are due (they begin FIRST_FIRING_AFTER_MS after origin).
    const watchFrom = Math.max(Date.now(), origin + FIRST_FIRING_AFTER_MS);
    await sleep(watchFrom - Date.now());
    const cpuBefore = { all: cpuSecondsOf(pid), mainThread: cpuSecondsOf(pid, pid) };
    const wallBefore = performance.now();
    await sleep(WATCH_MS);
    const percentOfWall = (seconds: number) => (seconds / ((performance.now() - wallBefore) / 1000)) * 100;
    const cpuPercent = percentOfWall(cpuSecondsOf(pid) - cpuBefore.all);
    const mainThreadCpuPercent = percentOfWall(cpuSecondsOf(pid, pid) - cpuBefore.mainThread);
    const { rssMb } = memoryOf(pid);
    const late = await latenessOf(api, watchFrom, watchFrom + WATCH_MS);

    const result = {
      bench: 'schedule-load',
      schedules: count,
      loadSeconds,
      firings: late.length,
      latenessP50Ms: percentile(late, 50),
      latenessP99Ms: percentile(late, 99),
      cpuPercent,
      mainThreadCpuPercent,
      rssMb,
    };
    printTable(
      `${count.toLocaleString('en-US')} recurring schedules, loaded through POST /api/v1/tasks:batch (SQLite)`,
      [
        { measure: 'load (batch API)', value: `${fmt(loadSeconds, 1)} s`, goal: '< 60 s' },
        {
          measure: `firing lateness (${late.length} firings in ${WATCH_MS / 1000} s)`,
          value: `p50 ${fmt(result.latenessP50Ms, 0)} ms, p99 ${fmt(result.latenessP99Ms, 0)} ms`,
          goal: 'p99 < 50 ms',
        },
        {
          measure: 'server CPU while watching',
          value: `${fmt(cpuPercent, 2)} % (main thread ${fmt(mainThreadCpuPercent, 2)} %)`,
          goal: '< 1 %',
        },
        { measure: 'server RSS', value: `${fmt(rssMb, 0)} MB`, goal: '< 250 MB' },
      ],
    );
    if (args.includes('--json')) console.log(JSON.stringify(result));
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
