// `npm run bench -- fleet`: the agent protocol at fleet scale, on SQLite with the real clock.
//   (a) a real server (startServer, in this process) and 1,000 simulated agents in two child
//       processes (keep-alive fetch, long-polling 30 s, capacity 10). The job is a `command`
//       catalog entry that runs on agents (`true`): the server renders its payload at each
//       claim; the simulated agents answer `finished` at once. 10 runs over every agent:
//       jobstates/s end to end, contacts/s, prepared → running latency p50/p99 (the wake of
//       the long-poll plus the claim), and server CPU seconds per 1,000 jobstates (this
//       process's CPU: the server, and a bench loop that only polls run status).
//   (b) 10,000 agents enrolled directly through the store: the time to create one run over
//       all of them, and until every jobstate of it is prepared.
// Scale the agent counts down for a quick look: BENCH_SCALE=0.1 npm run bench -- fleet
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt, percentile, printTable } from '../src/cli/table.ts';
import { systemClock } from '../src/core/clock.ts';
import { newId } from '../src/core/ids.ts';
import type { Agent } from '../src/core/model.ts';
import { parseTaskDef } from '../src/core/task-def.ts';
import { Engine } from '../src/engine/engine.ts';
import { builtinModules } from '../src/modules/builtin.ts';
import { createModuleRegistry } from '../src/modules/sdk/index.ts';
import { DEFAULT_BODY_LIMIT } from '../src/server/app.ts';
import { DEFAULT_HTTP_LIMITS } from '../src/server/http-limits.ts';
import { createModuleServices } from '../src/server/module-services.ts';
import { startServer } from '../src/server/start.ts';
import { openStore } from '../src/store/open.ts';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const n = (count: number) => Math.max(2, Math.round(count * scale));
const RUNS = 10;
const CHILDREN = 2;
const benchCommand = { name: 'bench-true', argv: ['true'], runsOn: 'agent', timeout: '1m' };
const benchJob = { name: 'true', module: 'command', params: { command: 'bench-true' }, targets: { tags: ['bench'] } };

interface AgentStats {
  contacts: number;
  jobs: number;
  errors: number;
}

// biome-ignore lint/suspicious/noExplicitAny: bench replies are read field by field
async function api(base: string, token: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Forks a child of simulated agents; resolves once they all enrolled and poll. */
function spawnAgents(base: string, token: string, count: number, prefix: string): Promise<ChildProcess> {
  const child = fork(join(import.meta.dirname, 'support', 'fleet-agents.ts'), [base, token, String(count), prefix], {
    execArgv: ['--import', 'tsx'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`agents child exited with ${code}`)));
  });
}

function ask(child: ChildProcess, type: 'snapshot' | 'stop'): Promise<AgentStats> {
  return new Promise((resolve) => {
    child.once('message', (message: AgentStats) => resolve(message));
    child.send({ type });
  });
}

const sum = (all: AgentStats[], key: keyof AgentStats) => all.reduce((total, s) => total + s[key], 0);

async function endToEnd(agents: number) {
  const dir = await mkdtemp(join(tmpdir(), 'tw-fleet-'));
  const server = await startServer({
    dataDir: dir,
    dbUrl: `sqlite:${join(dir, 'bench.db')}`,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Every simulated agent connects from 127.0.0.1, as a fleet behind one NAT would: no per-address cap.
    httpLimits: { ...DEFAULT_HTTP_LIMITS, maxConnectionsPerAddress: 0 },
  });
  const admin = (await readFile(server.adminTokenFile as string, 'utf8')).trim();
  await api(server.url, admin, '/api/v1/orgs', { name: 'bench' });
  await api(server.url, admin, '/api/v1/commands?org=bench', benchCommand);
  const { token } = await api(server.url, admin, '/api/v1/enrolment-tokens?org=bench', {
    uses: agents,
    expiresIn: '1h',
  });
  const task = await api(server.url, admin, '/api/v1/tasks?org=bench', {
    name: 'fleet',
    schedule: { kind: 'manual' },
    concurrency: 'allow',
    jobs: [benchJob],
  });
  const per = Math.ceil(agents / CHILDREN);
  const children = await Promise.all(
    Array.from({ length: CHILDREN }, (_, i) =>
      spawnAgents(server.url, token, Math.min(per, agents - i * per), `pc${i}`),
    ),
  );
  await sleep(1_000); // every agent's first long-poll is in
  const before = await Promise.all(children.map((c) => ask(c, 'snapshot')));
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++) runIds.push((await api(server.url, admin, `/api/v1/tasks/${task.id}/runs`, {})).id);
  for (const id of runIds) {
    while ((await server.store.runs.get(id))?.status !== 'finished') await sleep(20);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await Promise.all(children.map((c) => ask(c, 'snapshot')));
  const latencies: number[] = [];
  for (const id of runIds) {
    for (const js of await server.store.jobstates.allOfRun(id))
      latencies.push((js.startedAt ?? 0) - (js.preparedAt ?? 0));
  }
  const final = await Promise.all(children.map((c) => ask(c, 'stop')));
  await server.close(1_000);
  await rm(dir, { recursive: true, force: true });
  const jobstates = latencies.length;
  return {
    jobstates,
    jobstatesPerSecond: jobstates / seconds,
    contactsPerSecond: (sum(after, 'contacts') - sum(before, 'contacts')) / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuPer1000: (cpu.user + cpu.system) / 1e6 / (jobstates / 1000),
    errors: sum(final, 'errors'),
  };
}

async function prepareBigRun(agents: number) {
  const dir = await mkdtemp(join(tmpdir(), 'tw-fleet-'));
  const store = await openStore(`sqlite:${join(dir, 'bench.db')}`);
  await store.migrate();
  const modules = createModuleRegistry(builtinModules({ testModules: true }));
  const engine = new Engine({
    store,
    modules,
    services: createModuleServices(store),
    clock: systemClock,
    options: { defaultTz: 'UTC' },
  });
  const now = Date.now();
  const org = await store.orgs.create({ id: newId(), name: 'bench', createdAt: now });
  for (let i = 0; i < agents; i += 1000) {
    await store.transaction(async (tx) => {
      for (let j = i; j < Math.min(agents, i + 1000); j++) await tx.agents.create(benchAgent(org.id, j, now));
    });
  }
  const def = parseTaskDef(
    { name: 'big', schedule: { kind: 'manual' }, jobs: [benchJob] },
    { modules, defaultTz: 'UTC' },
  );
  const task = await engine.createTask(org.id, def, null);
  const started = performance.now();
  const run = await engine.runNow(task.id, null);
  const created = (performance.now() - started) / 1000;
  while ((await store.jobstates.countsByRun(run.id)).prepared < agents) await engine.tick();
  const prepared = (performance.now() - started) / 1000;
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return { created, prepared };
}

function benchAgent(orgId: string, i: number, now: number): Agent {
  return {
    id: newId(),
    orgId,
    kind: 'taskwarden',
    deviceId: `pc-${i}`,
    name: `pc-${i}`,
    tags: ['bench'],
    requestedTags: [],
    secretHash: `bench-${newId()}`,
    enabled: true,
    version: 'bench',
    modules: ['command'],
    wakeUrl: null,
    contactSeconds: 60,
    lastContactAt: null,
    lastWakeError: null,
    lastWakeErrorAt: null,
    reenrolUntil: null,
    enrolmentTokenId: null,
    createdAt: now,
  };
}

export default async function fleetBench(): Promise<void> {
  const agents = n(1_000);
  const a = await endToEnd(agents);
  const big = n(10_000);
  const b = await prepareBigRun(big);
  printTable(`Fleet on SQLite: ${agents} simulated agents long-polling (${CHILDREN} child processes)`, [
    {
      measure: `jobstates end to end (${RUNS} runs, ${a.jobstates} jobstates)`,
      result: `${fmt(a.jobstatesPerSecond, 0)} /s`,
    },
    { measure: 'contacts', result: `${fmt(a.contactsPerSecond, 0)} /s` },
    { measure: 'prepared → running latency', result: `p50 ${fmt(a.p50, 0)} ms, p99 ${fmt(a.p99, 0)} ms` },
    { measure: 'server CPU per 1,000 jobstates', result: `${fmt(a.cpuPer1000, 2)} s` },
    { measure: 'agent-side errors', result: String(a.errors) },
    { measure: `one run over ${big} agents: created`, result: `${fmt(b.created, 2)} s` },
    { measure: `one run over ${big} agents: all prepared`, result: `${fmt(b.prepared, 2)} s` },
  ]);
}
