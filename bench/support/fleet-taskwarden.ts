// The fleet bench's measures of a real Taskwarden server (fleet-server.ts, its own process)
// and the simulated agents long-polling it (fleet-clients.ts): (a) `runs` runs started at
// once, end to end; (b) one run, from the start call to each agent holding its job; (c)
// `backToBack` runs one after the other. Every wait ends when the runs end (jobstates that
// end agent_lost end them too: they are counted, not waited for) or fails at its time limit
// with what it saw.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '../../src/cli/server-node-flags.ts';
import { percentile } from '../../src/cli/table.ts';
import type { ClientStats } from './fleet-agents.ts';
import { BENCH_COMMAND, BENCH_JOB } from './fleet-big-run.ts';
import { startClientFleet } from './fleet-clients.ts';
import type { RunOutcome, RunProgress, ServerConnections } from './fleet-server.ts';
import { forkBenchChild } from './ipc-child.ts';
import { within } from './limits.ts';
import { cpuSecondsOf } from './processes.ts';

export interface FleetPlan {
  agents: number;
  processes: number;
  runs: number;
  backToBack: number;
  limitMs: number;
  /** stdout lines each job's events call carries before its end (the ceiling's clients send them too). */
  logLines: number;
}

/** What one phase measured: jobstates and requests per second, the server's CPU, the outcome. */
export interface PhaseFigures {
  jobstates: number;
  seconds: number;
  jobstatesPerSecond: number;
  requestsPerSecond: number;
  serverCpuPer1000Jobstates: number;
  /** prepared → running (a, c) or start call → agent holds its job (b): p50 and p99, ms. */
  p50Ms: number;
  p99Ms: number;
  agentLost: number;
  byStatus: Record<string, number>;
  /** Client errors during the phase. */
  clientErrors: number;
}

export interface TaskwardenFigures {
  endToEnd: PhaseFigures;
  oneRun: PhaseFigures;
  backToBack: PhaseFigures;
  /** The clients' counters over the whole bench: errors (and by cause), stale-socket retries, connections opened. */
  clients: ClientStats;
  /** What the server did with its connections over the whole bench. */
  server: ServerConnections;
}

const SERVER = join(import.meta.dirname, 'fleet-server.ts');

/** An API call of the bench's operator, answered within `limitMs` or failed with its path. */
// biome-ignore lint/suspicious/noExplicitAny: bench replies are read field by field
async function api(base: string, token: string, path: string, body: unknown, limitMs: number): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(limitMs),
  }).catch((err: Error) => {
    throw new Error(`bench: POST ${path}: ${err.message} (limit ${limitMs / 1000} s)`);
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export async function measureTaskwarden(plan: FleetPlan, dataDir: string, dbUrl: string): Promise<TaskwardenFigures> {
  // The server logs as a default install does (info), into a file as a service's journal would take it.
  const log = openSync(join(dataDir, 'server.log'), 'a');
  const server = forkBenchChild(SERVER, ['taskwarden', dataDir, dbUrl], { nodeFlags: SERVER_NODE_FLAGS, stdout: log });
  closeSync(log);
  try {
    const { url, adminToken } = await server.request<{ url: string; adminToken: string }>(
      { type: 'address' },
      plan.limitMs,
    );
    await api(url, adminToken, '/api/v1/orgs', { name: 'bench' }, plan.limitMs);
    await api(url, adminToken, '/api/v1/commands?org=bench', BENCH_COMMAND, plan.limitMs);
    const enrolment = { uses: plan.agents, expiresIn: '1h', tags: ['bench'] };
    const { token } = await api(url, adminToken, '/api/v1/enrolment-tokens?org=bench', enrolment, plan.limitMs);
    const taskDef = { name: 'fleet', schedule: { kind: 'manual' }, concurrency: 'allow', jobs: [BENCH_JOB] };
    const task = await api(url, adminToken, '/api/v1/tasks?org=bench', taskDef, plan.limitMs);
    const clients = await startClientFleet({ mode: 'agents', base: url, count: plan.agents, token, ...plan });
    try {
      const startRun = async () =>
        (await api(url, adminToken, `/api/v1/tasks/${task.id}/runs`, {}, plan.limitMs)).id as string;
      // The server answers the instant the runs ended; past the limit, the bench says where they stand.
      const untilEnded = (ids: string[]) =>
        within(
          `end of ${ids.length} run(s) over ${plan.agents} agents`,
          server.request({ type: 'ended', ids, limitMs: plan.limitMs * 2 }, plan.limitMs * 2),
          plan.limitMs,
          async () => ({
            progress: await server.request<RunProgress>({ type: 'runs', ids }, plan.limitMs),
            ...(await clients.snapshot()),
          }),
        );
      const phase = async (start: (ids: string[]) => Promise<void>, latencies: 'server' | 'holds') => {
        const before = await clients.snapshot(true);
        const cpu = cpuSecondsOf(server.pid);
        const began = performance.now();
        const calledAt = Date.now();
        const ids: string[] = [];
        await start(ids);
        const seconds = (performance.now() - began) / 1000;
        const serverCpu = cpuSecondsOf(server.pid) - cpu;
        const after = await clients.snapshot(true);
        const outcome = await server.request<RunOutcome>({ type: 'jobstates', ids }, plan.limitMs);
        const samples =
          latencies === 'server' ? outcome.preparedToRunning : after.holds.map((heldAt) => heldAt - calledAt);
        const jobstates = Object.values(outcome.byStatus).reduce((total, n) => total + n, 0);
        return {
          jobstates,
          seconds,
          jobstatesPerSecond: jobstates / seconds,
          requestsPerSecond: (after.stats.requests - before.stats.requests) / seconds,
          serverCpuPer1000Jobstates: serverCpu / (jobstates / 1000),
          p50Ms: percentile(samples, 50),
          p99Ms: percentile(samples, 99),
          agentLost: outcome.agentLost,
          byStatus: outcome.byStatus,
          clientErrors: after.stats.errors - before.stats.errors,
        } satisfies PhaseFigures;
      };
      await clients.snapshot(); // every agent answered once; their long-polls follow at once
      const endToEnd = await phase(async (ids) => {
        for (let i = 0; i < plan.runs; i++) ids.push(await startRun());
        await untilEnded(ids);
      }, 'server');
      const oneRun = await phase(async (ids) => {
        ids.push(await startRun());
        await untilEnded(ids);
      }, 'holds');
      const backToBack = await phase(async (ids) => {
        for (let i = 0; i < plan.backToBack; i++) {
          ids.push(await startRun());
          await untilEnded(ids.slice(-1));
        }
      }, 'server');
      const { stats } = await clients.snapshot();
      const connections = await server.request<ServerConnections>({ type: 'connections' }, plan.limitMs);
      return { endToEnd, oneRun, backToBack, clients: stats, server: connections };
    } finally {
      clients.kill();
    }
  } finally {
    server.kill();
  }
}
