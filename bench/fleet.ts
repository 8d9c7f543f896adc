// `npm run bench -- fleet [--agents N] [--db sqlite|postgres] [--json] …`: the agent protocol
// at fleet scale, each figure beside the ceiling measured in the same run.
//   ceiling: a bare Fastify (bench/support/fleet-server.ts) answering a contact-sized reply
//     to the same simulated clients (same client code, count and processes, the server in
//     its own process as Taskwarden's): requests/s, and its CPU per 1,000 requests
//   Taskwarden (a real server in its own process, logging at its default level into a file;
//     N simulated agents long-polling 30 s, capacity 10, answering `finished` at once to a
//     `command` job that runs on agents, after --log-lines stdout lines (0) in the same call):
//     (a) --runs runs (10) over every agent started at once: jobstates/s, requests/s,
//         prepared → running p50/p99, server CPU per 1,000 jobstates
//     (b) one run: from the start call to each agent holding its job, p50/p99
//     (c) --back-to-back runs (5), each started when the previous one ended: jobstates/s
//         and requests/s as % of the ceiling
//   big run: N agents written straight into the store, one run over them (engine in this
//     process): created, and all prepared (--big N; default 10,000 and on SQLite 100,000)
// Ratios: throughputs ÷ the ceiling's requests/s; latencies ÷ 2 × agents ÷ ceiling (the time
// the ceiling takes to answer every agent twice: a contact and its events); CPU ÷ the
// ceiling's CPU per 1,000 requests. Simulated agents spread over --clients processes (default
// one per 2,000 agents, at least 2), each started with its file limit raised to the hard one.
// FLEET_SERVER_CPU_PROF=<folder>: the Taskwarden server writes a CPU profile per phase there.
// Every wait ends on a condition or at --limit seconds (default 600): then the bench prints
// what it saw and exits 1. Jobstates that end agent_lost are counted, not waited for.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVER_NODE_FLAGS } from '../src/cli/server-node-flags.ts';
import { fmt } from '../src/cli/table.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { choiceOption, numberOption, report } from './support/args.ts';
import type { ClientStats } from './support/fleet-agents.ts';
import { type BigRun, bigRun } from './support/fleet-big-run.ts';
import { startClientFleet } from './support/fleet-clients.ts';
import type { ServerConnections } from './support/fleet-server.ts';
import {
  type FleetPlan,
  measureTaskwarden,
  type PhaseFigures,
  type TaskwardenFigures,
} from './support/fleet-taskwarden.ts';
import { forkBenchChild } from './support/ipc-child.ts';
import { watchdog, within } from './support/limits.ts';
import { cpuSecondsOf } from './support/processes.ts';

interface Ceiling {
  requestsPerSecond: number;
  cpuPer1000Requests: number;
  clients: ClientStats;
  server: ServerConnections;
}

async function measureCeiling(plan: FleetPlan, seconds: number): Promise<Ceiling> {
  const server = forkBenchChild(join(import.meta.dirname, 'support', 'fleet-server.ts'), ['bare'], {
    nodeFlags: SERVER_NODE_FLAGS,
  });
  try {
    const { url } = await server.request<{ url: string }>({ type: 'address' }, plan.limitMs);
    const clients = await startClientFleet({ mode: 'ceiling', base: url, count: plan.agents, ...plan });
    try {
      const before = await clients.snapshot();
      const cpu = cpuSecondsOf(server.pid);
      const began = performance.now();
      await sleep(seconds * 1000); // the measuring window: the clients loop meanwhile
      const after = await clients.snapshot();
      const elapsed = (performance.now() - began) / 1000;
      const requests = after.stats.requests - before.stats.requests;
      return {
        requestsPerSecond: requests / elapsed,
        cpuPer1000Requests: (cpuSecondsOf(server.pid) - cpu) / (requests / 1000),
        clients: after.stats,
        server: await server.request<ServerConnections>({ type: 'connections' }, plan.limitMs),
      };
    } finally {
      clients.kill();
    }
  } finally {
    server.kill();
  }
}

/** Runs `body` with a fresh database of `db` (a folder for SQLite, a throwaway server's database for PostgreSQL). */
async function withDatabase<T>(
  db: 'sqlite' | 'postgres',
  body: (dataDir: string, dbUrl: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tw-fleet-'));
  const server = db === 'postgres' ? await startPostgres() : null;
  try {
    const database = await server?.createDatabase();
    return await body(dir, database?.url ?? `sqlite:${join(dir, 'bench.db')}`);
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One phase's figures as ratios to the ceiling (`budgetMs`: 2 × agents ÷ its req/s). */
function ratiosOf(p: PhaseFigures, ceiling: Ceiling, budgetMs: number) {
  return {
    jobstatesPerCeilingRequest: p.jobstatesPerSecond / ceiling.requestsPerSecond,
    requestsPerCeilingRequest: p.requestsPerSecond / ceiling.requestsPerSecond,
    p99PerBudget: p.p99Ms / budgetMs,
    cpuPerCeilingCpu: p.serverCpuPer1000Jobstates / ceiling.cpuPer1000Requests,
  };
}

const percent = (r: number) => `${fmt(r * 100, 0)} %`;

function rows(plan: FleetPlan, ceiling: Ceiling, tw: TaskwardenFigures, big: BigRun[], budgetMs: number) {
  const phaseRows = (label: string, p: PhaseFigures, latency: string) => {
    const r = ratiosOf(p, ceiling, budgetMs);
    return [
      {
        measure: `${label}: jobstates (${p.jobstates} in ${fmt(p.seconds, 1)} s)`,
        result: `${fmt(p.jobstatesPerSecond, 0)} /s`,
        'vs ceiling': `${percent(r.jobstatesPerCeilingRequest)} of its req/s`,
      },
      {
        measure: `${label}: requests`,
        result: `${fmt(p.requestsPerSecond, 0)} /s`,
        'vs ceiling': percent(r.requestsPerCeilingRequest),
      },
      {
        measure: `${label}: ${latency}`,
        result: `p50 ${fmt(p.p50Ms, 0)} ms, p99 ${fmt(p.p99Ms, 0)} ms`,
        'vs ceiling': `p99 ${fmt(r.p99PerBudget, 2)}x of ${fmt(budgetMs, 0)} ms`,
      },
      {
        measure: `${label}: server CPU per 1,000 jobstates`,
        result: `${fmt(p.serverCpuPer1000Jobstates, 2)} s`,
        'vs ceiling': `${fmt(r.cpuPerCeilingCpu, 2)}x its CPU per 1,000 req`,
      },
      { measure: `${label}: jobstates ended agent_lost`, result: String(p.agentLost), 'vs ceiling': '' },
      { measure: `${label}: client errors`, result: String(p.clientErrors), 'vs ceiling': '' },
    ];
  };
  return [
    {
      measure: `ceiling: bare Fastify, same ${plan.agents} clients`,
      result: `${fmt(ceiling.requestsPerSecond, 0)} req/s`,
      'vs ceiling': `CPU ${fmt(ceiling.cpuPer1000Requests, 3)} s per 1,000 req`,
    },
    ...phaseRows(`(a) ${plan.runs} runs at once`, tw.endToEnd, 'prepared → running'),
    ...phaseRows('(b) one run', tw.oneRun, 'start call → agent holds its job'),
    ...phaseRows(`(c) ${plan.backToBack} runs back to back`, tw.backToBack, 'prepared → running'),
    ...connectionRows(ceiling, tw),
    ...big.map((b) => ({
      measure: `one run over ${b.agents} agents: created / all prepared (CPU)`,
      result: `${fmt(b.createdSeconds, 2)} s / ${fmt(b.preparedSeconds, 2)} s (${fmt(b.cpuSeconds, 2)} s)`,
      'vs ceiling': '',
    })),
  ];
}

/** The clients' errors and connections, and the server's cuts, of both contenders side by side. */
function connectionRows(ceiling: Ceiling, tw: TaskwardenFigures) {
  const both = (measure: string, of: (c: ClientStats, s: ServerConnections) => number | string) => ({
    measure: `${measure} (ceiling / Taskwarden)`,
    result: `${of(ceiling.clients, ceiling.server)} / ${of(tw.clients, tw.server)}`,
    'vs ceiling': '',
  });
  const causes = (of: Record<string, number>) =>
    Object.entries(of)
      .map(([cause, n]) => `${cause}: ${n}`)
      .join('; ') || 'none';
  return [
    both('client errors', (c) => c.errors),
    { measure: 'client errors by cause, Taskwarden', result: causes(tw.clients.errorsBy), 'vs ceiling': '' },
    both('requests sent again on a new connection', (c) => c.staleSocketRetries),
    both(
      'connections opened by the clients / accepted by the server',
      (c, s) => `${c.connectionsOpened}, ${s.accepted}`,
    ),
    both('connections the server closed idle (keep-alive timeout)', (_, s) => s.idleClosed),
    {
      measure: 'connections the server cut on a client error, Taskwarden',
      result: causes(tw.server.clientErrors),
      'vs ceiling': '',
    },
  ];
}

export default async function fleetBench(args: string[]): Promise<void> {
  const agents = numberOption(args, '--agents', 1_000);
  const db = choiceOption(args, '--db', ['sqlite', 'postgres'] as const);
  const plan: FleetPlan = {
    agents,
    processes: numberOption(args, '--clients', Math.max(2, Math.ceil(agents / 2_000))),
    runs: numberOption(args, '--runs', 10),
    backToBack: numberOption(args, '--back-to-back', 5),
    limitMs: numberOption(args, '--limit', 600) * 1000,
    logLines: numberOption(args, '--log-lines', 0),
  };
  const bigSizes = args.includes('--big')
    ? [numberOption(args, '--big', 0)]
    : db === 'sqlite'
      ? [10_000, 100_000]
      : [10_000];
  // Each wait is bounded by --limit: ten of them in a row is more than any healthy run takes.
  watchdog('fleet', plan.limitMs * 10);
  const ceiling = await measureCeiling(plan, numberOption(args, '--ceiling-seconds', 5));
  const taskwarden = await withDatabase(db, (dir, url) => measureTaskwarden(plan, dir, url)).catch((err) => {
    // What was measured before the failure goes with it.
    process.stderr.write(`fleet: the ceiling before the failure: ${JSON.stringify(ceiling)}\n`);
    throw err;
  });
  const big: BigRun[] = [];
  for (const size of bigSizes) {
    // Its store writes are bounded here; its wait for the prepared jobstates, inside too.
    const run = withDatabase(db, (_, url) => bigRun(url, size, plan.limitMs));
    big.push(await within(`big run over ${size} agents`, run, 2 * plan.limitMs));
  }
  const budgetMs = ((2 * agents) / ceiling.requestsPerSecond) * 1000;
  report(args, {
    bench: 'fleet',
    tables: [
      {
        title: `Fleet on ${db}: ${agents} simulated agents in ${plan.processes} client processes, node ${process.version}`,
        rows: rows(plan, ceiling, taskwarden, big, budgetMs),
      },
    ],
    figures: {
      db,
      plan,
      ceiling: { ...ceiling, latencyBudgetMs: budgetMs },
      ...taskwarden,
      ratios: {
        endToEnd: ratiosOf(taskwarden.endToEnd, ceiling, budgetMs),
        oneRun: ratiosOf(taskwarden.oneRun, ceiling, budgetMs),
        backToBack: ratiosOf(taskwarden.backToBack, ceiling, budgetMs),
      },
      bigRuns: big,
    },
  });
}
