// `npm run bench -- footprint [--quick] [--json] [--record <label>]`: what Taskwarden costs
// the machines it runs on, each figure beside bare Node doing the least of the same thing.
//   (a) `taskwarden --help` and `taskwarden summary` (a real server, five tasks): wall time,
//       median of 10 runs after one unmeasured run; beside `node -e 0`
//   (b) server start to `/health` 200 (empty SQLite, web UI as built): the first start (it
//       migrates), then the median of 3 restarts, and their CPU time; beside a `node -e`
//       HTTP server answering
//   (c) an enrolled `taskwarden agent` long-polling that server: RSS, its private part and
//       peak RSS after 60 s idle (one whole long-poll), its process tree; beside an idle `node -e`;
//       at the same time the single-file agent (dist/taskwarden-agent when fresh, else one
//       built for the bench: npm run build:agent), the same figures
// Processes are started as `node bin/taskwarden.js …`: `npx taskwarden …` adds an npm process
// (about 90 MB, and ~0.3 s per command) that is not Taskwarden's.
// --quick: 3 runs for (a), 1 restart for (b), 15 s idle for (c). --json: one JSON object.
// --record <label>: appends the table, with the machine's load, to bench/RESULTS.md.
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildState } from '../scripts/build-state.mjs';
import { fmt, formatTable, percentile } from '../src/cli/table.ts';
import { TaskwardenClient } from '../src/client/api.ts';
import { agentExecutable } from '../test/support/agent-executable.ts';
import { BIN, serverArgv } from '../test/support/cli.ts';
import { cpuSecondsOf, memoryOf, type Started, start, timeRun, waitForOk } from './support/processes.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** Every wait of the bench is bounded: a stuck process fails the bench, it does not hang it. */
const LIMIT_MS = { cli: 60_000, serverStart: 90_000, health: 30_000, agentStart: 60_000 };
const NODE_HTTP =
  "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () {" +
  " console.log('listening on http://127.0.0.1:' + this.address().port) })";
const NODE_IDLE = 'setInterval(() => {}, 1 << 30)';
// The footprint's task runs the test module noop (TASKWARDEN_TEST_MODULES: not offered otherwise).
const quiet = { ...process.env, TASKWARDEN_LOG_LEVEL: 'warn', TASKWARDEN_TEST_MODULES: '1' };

interface Options {
  runs: number;
  restarts: number;
  idleSeconds: number;
}

const median = (values: number[]) => percentile(values, 50);

function medianWall(args: string[], runs: number): number {
  timeRun(args, { env: quiet, limitMs: LIMIT_MS.cli });
  return median(Array.from({ length: runs }, () => timeRun(args, { env: quiet, limitMs: LIMIT_MS.cli })));
}

interface Healthy {
  ms: number;
  /** The CPU time it took, which a loaded machine inflates less than the wall time. */
  cpuSeconds: number;
  url: string;
  process: Started;
}

/** Starts a process that prints "listening on URL" and times it until URL/path answers 200. */
async function timeToHealthy(args: string[], path: string): Promise<Healthy> {
  const begin = performance.now();
  const started = start(args, { env: quiet });
  const url = await started.waitFor(/listening on (http:\/\/\S+)/, LIMIT_MS.serverStart);
  await waitForOk(`${url}${path}`, LIMIT_MS.health);
  const ms = performance.now() - begin;
  return { ms, cpuSeconds: cpuSecondsOf(started.child.pid as number), url, process: started };
}

async function serverStarts(data: string, opts: Options) {
  const serverArgs = serverArgv('--data', data, '--port', '0');
  const first = await timeToHealthy(serverArgs, '/health');
  await first.process.stop();
  const restarts: Healthy[] = [];
  let server = first;
  for (let i = 0; i < opts.restarts; i++) {
    server = await timeToHealthy(serverArgs, '/health');
    restarts.push(server);
    if (i < opts.restarts - 1) await server.process.stop();
  }
  const baselines: Healthy[] = [];
  for (let i = 0; i < opts.restarts; i++) {
    const bare = await timeToHealthy(['-e', NODE_HTTP], '/');
    baselines.push(bare);
    await bare.process.stop();
  }
  return {
    firstMs: first.ms,
    restartMs: median(restarts.map((r) => r.ms)),
    restartCpuSeconds: median(restarts.map((r) => r.cpuSeconds)),
    baselineMs: median(baselines.map((b) => b.ms)),
    baselineCpuSeconds: median(baselines.map((b) => b.cpuSeconds)),
    server,
  };
}

/** An org with five tasks to summarise, and an org-admin token for it. */
async function seed(url: string, data: string): Promise<{ client: TaskwardenClient; token: string }> {
  const admin = new TaskwardenClient({
    server: url,
    token: (await readFile(join(data, 'admin.token'), 'utf8')).trim(),
  });
  await admin.createOrg('bench');
  const user = await admin.createUser('bench', { name: 'bench-admin', role: 'org-admin' });
  const { token } = await admin.createToken(user.id, { name: 'bench' });
  const client = new TaskwardenClient({ server: url, token });
  for (let i = 1; i <= 5; i++) {
    await client.createTask({
      name: `bench-${i}`,
      schedule: { kind: 'manual' },
      jobs: [{ name: 'noop', module: 'noop', targets: { server: true } }],
    });
  }
  return { client, token };
}

/** RSS of a process and all its descendants (an esbuild service, an npm wrapper's node). */
async function treeRssMb(pid: number): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  let total = memoryOf(pid).rssMb;
  for (const task of await readdir(`/proc/${pid}/task`)) {
    const children = (await readFile(`/proc/${pid}/task/${task}/children`, 'utf8')).trim();
    for (const child of children ? children.split(' ') : []) total += await treeRssMb(Number(child));
  }
  return total;
}

/** How an agent is started: `taskwarden agent` through Node, or the single-file executable. */
interface AgentLaunch {
  command?: string;
  args: string[];
}

/**
 * Both agents enrol (a token each) and long-poll side by side for `idleSeconds`, beside an
 * idle bare Node; then each one's memory is read.
 */
async function idleAgents(client: TaskwardenClient, url: string, opts: Options, launches: AgentLaunch[]) {
  const dir = await mkdtemp(join(tmpdir(), 'tw-footprint-agent-'));
  const agents: Started[] = [];
  const bare = start(['-e', NODE_IDLE]);
  try {
    for (const [i, launch] of launches.entries()) {
      const enrolFile = join(dir, `enrol-${i}.token`);
      const { token } = await client.createEnrolmentToken({ uses: 1, expiresIn: '1h' });
      await writeFile(enrolFile, token, { mode: 0o600 });
      const flags = [
        '--server',
        url,
        '--data',
        join(dir, `data-${i}`),
        '--enrol-file',
        enrolFile,
        '--name',
        `bench-${i}`,
      ];
      // Info level: the agent says when it works for the server, then stays quiet while idle.
      agents.push(
        start([...launch.args, ...flags], {
          command: launch.command,
          env: { ...process.env, TASKWARDEN_LOG_LEVEL: 'info' },
          cwd: dir,
        }),
      );
    }
    for (const agent of agents) await agent.waitFor(/agent (\S+) working for/, LIMIT_MS.agentStart);
    await sleep(opts.idleSeconds * 1000);
    for (const agent of agents) {
      if (agent.child.exitCode !== null) throw new Error(`an agent exited:\n${agent.output()}`);
    }
    const listed = await client.listAgents();
    if (listed.length < launches.length || listed.some((a) => !a.lastContactAt))
      throw new Error('an agent never contacted the server');
    const baseline = memoryOf(bare.child.pid as number);
    const measured = [];
    for (const agent of agents) {
      measured.push({
        ...memoryOf(agent.child.pid as number),
        treeMb: await treeRssMb(agent.child.pid as number),
        baselineMb: baseline.rssMb,
        baselinePrivateMb: baseline.privateMb,
      });
    }
    return measured;
  } finally {
    await Promise.all([...agents.map((a) => a.stop()), bare.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(opts: Options) {
  const data = await mkdtemp(join(tmpdir(), 'tw-footprint-server-'));
  let server: Started | undefined;
  try {
    const nodeMs = medianWall(['-e', '0'], opts.runs);
    const helpMs = medianWall([BIN, '--help'], opts.runs);
    const starts = await serverStarts(data, opts);
    server = starts.server.process;
    const { client, token } = await seed(starts.server.url, data);
    const summaryArgs = [BIN, 'summary', '--server', starts.server.url, '--token', token];
    const summaryMs = medianWall(summaryArgs, opts.runs);
    const executable = agentExecutable(join(data, 'build'));
    const [agent, singleFile] = await idleAgents(client, starts.server.url, opts, [
      { args: [BIN, 'agent'] },
      { command: executable.path, args: [] },
    ]);
    if (!agent || !singleFile) throw new Error('an agent was not measured');
    return { nodeMs, helpMs, summaryMs, starts, agent, singleFile };
  } finally {
    await server?.stop();
    await rm(data, { recursive: true, force: true });
  }
}

function machine() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavg: loadavg().map((l) => Number(l.toFixed(2))),
    build: buildState(ROOT),
  };
}

export default async function footprintBench(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const opts: Options = quick ? { runs: 3, restarts: 1, idleSeconds: 15 } : { runs: 10, restarts: 3, idleSeconds: 60 };
  const before = machine();
  const m = await measure(opts);
  const after = machine();
  const figures = {
    machine: { ...before, loadavgAtEnd: after.loadavg },
    runs: opts.runs,
    cli: { helpMs: m.helpMs, summaryMs: m.summaryMs, nodeMs: m.nodeMs },
    server: {
      firstStartMs: m.starts.firstMs,
      restartMs: m.starts.restartMs,
      restartCpuSeconds: m.starts.restartCpuSeconds,
      nodeHttpMs: m.starts.baselineMs,
      nodeHttpCpuSeconds: m.starts.baselineCpuSeconds,
    },
    agent: {
      idleSeconds: opts.idleSeconds,
      rssMb: m.agent.rssMb,
      peakRssMb: m.agent.peakMb,
      privateMb: m.agent.privateMb,
      nodeIdlePrivateMb: m.agent.baselinePrivateMb,
      treeRssMb: m.agent.treeMb,
      nodeIdleRssMb: m.agent.baselineMb,
    },
    singleFileAgent: { rssMb: m.singleFile.rssMb, peakRssMb: m.singleFile.peakMb, privateMb: m.singleFile.privateMb },
  };
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } else {
    process.stdout.write(`\n${report(figures)}\n`);
  }
  const label = args[args.indexOf('--record') + 1];
  if (args.includes('--record')) {
    appendFileSync(
      join(ROOT, 'bench', 'RESULTS.md'),
      `\n## Footprint: ${label ?? 'unlabelled'}\n\n${report(figures)}\n`,
    );
  }
}

type Figures = {
  machine: ReturnType<typeof machine> & { loadavgAtEnd: number[] };
  runs: number;
  cli: { helpMs: number; summaryMs: number; nodeMs: number };
  server: {
    firstStartMs: number;
    restartMs: number;
    restartCpuSeconds: number;
    nodeHttpMs: number;
    nodeHttpCpuSeconds: number;
  };
  agent: {
    idleSeconds: number;
    rssMb: number;
    peakRssMb: number;
    privateMb: number;
    treeRssMb: number;
    nodeIdleRssMb: number;
    nodeIdlePrivateMb: number;
  };
  singleFileAgent: { rssMb: number; peakRssMb: number; privateMb: number };
};

function report(f: Figures): string {
  const s = (ms: number) => `${fmt(ms / 1000, 2)} s`;
  const mb = (n: number) => `${fmt(n, 0)} MB`;
  const rows = [
    { measure: `taskwarden --help (median of ${f.runs})`, taskwarden: s(f.cli.helpMs), 'bare node': s(f.cli.nodeMs) },
    {
      measure: `taskwarden summary (median of ${f.runs})`,
      taskwarden: s(f.cli.summaryMs),
      'bare node': s(f.cli.nodeMs),
    },
    {
      measure: 'server start to /health: first start',
      taskwarden: s(f.server.firstStartMs),
      'bare node': s(f.server.nodeHttpMs),
    },
    {
      measure: 'server start to /health: restart (median)',
      taskwarden: s(f.server.restartMs),
      'bare node': s(f.server.nodeHttpMs),
    },
    {
      measure: 'server start to /health: restart, its CPU time (median)',
      taskwarden: `${fmt(f.server.restartCpuSeconds, 2)} s`,
      'bare node': `${fmt(f.server.nodeHttpCpuSeconds, 2)} s`,
    },
    {
      measure: `agent RSS after ${f.agent.idleSeconds} s long-polling`,
      taskwarden: mb(f.agent.rssMb),
      'bare node': mb(f.agent.nodeIdleRssMb),
    },
    {
      measure: 'agent RSS, its private part',
      taskwarden: mb(f.agent.privateMb),
      'bare node': mb(f.agent.nodeIdlePrivateMb),
    },
    { measure: 'agent peak RSS', taskwarden: mb(f.agent.peakRssMb), 'bare node': '' },
    { measure: 'agent process tree RSS', taskwarden: mb(f.agent.treeRssMb), 'bare node': '' },
    {
      measure: `single-file agent RSS after ${f.agent.idleSeconds} s long-polling`,
      taskwarden: mb(f.singleFileAgent.rssMb),
      'bare node': mb(f.agent.nodeIdleRssMb),
    },
    {
      measure: 'single-file agent RSS, its private part',
      taskwarden: mb(f.singleFileAgent.privateMb),
      'bare node': mb(f.agent.nodeIdlePrivateMb),
    },
    { measure: 'single-file agent peak RSS', taskwarden: mb(f.singleFileAgent.peakRssMb), 'bare node': '' },
  ];
  const m = f.machine;
  const load = `load average ${m.loadavg.join(' ')} at start, ${m.loadavgAtEnd.join(' ')} at end`;
  return `${m.date}, node ${m.node}, ${m.cpus} CPUs, ${load}; dist/ ${m.build}\n\n\`\`\`\n${formatTable(rows)}\n\`\`\``;
}
