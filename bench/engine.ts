// `npm run bench -- engine`: the engine on a real SQLite file with the real clock.
//   (a) 20,000 noop server jobs end to end: jobs/s, p50/p99 latency (run created → jobstate finished)
//   (b) one run with 10,000 jobstates created: seconds
//   (c) 1,000 tasks due at one instant: start lateness p50/p99
//   (d) 100,000 recurring schedules loaded: firing lateness p99, idle CPU % over 60 s, RSS
// Sizes can be scaled down for a quick look: BENCH_SCALE=0.1 npm run bench -- engine
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt, percentile, printTable } from '../src/cli/table.ts';
import { systemClock } from '../src/core/clock.ts';
import { newId } from '../src/core/ids.ts';
import type { Store } from '../src/core/ports/store.ts';
import type { EngineOptions, TargetResolver } from '../src/engine/context.ts';
import { Engine } from '../src/engine/engine.ts';
import { builtinModules } from '../src/modules/builtin.ts';
import { createModuleRegistry } from '../src/modules/sdk/index.ts';
import { readTaskDef } from '../src/protocol/task-def-check.ts';
import { createModuleServices } from '../src/server/module-services.ts';
import { openStore } from '../src/store/open.ts';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const n = (count: number) => Math.max(1, Math.round(count * scale));
const modules = createModuleRegistry(builtinModules({ testModules: true }));

/** Bench-only targets: `{tags:["fleet-N"]}` resolves to N synthetic agent ids. */
const syntheticFleet: TargetResolver = {
  resolve: async (_tx, _org, targets) => {
    if ('server' in targets) return [null];
    const size = 'tags' in targets ? Number(targets.tags[0]?.replace('fleet-', '')) : 0;
    return Array.from({ length: size }, (_, i) => `agent-${i}`);
  },
};

interface Bench {
  store: Store;
  engine: Engine;
  orgId: string;
  done(): Promise<void>;
}

async function open(options: Partial<EngineOptions> = {}): Promise<Bench> {
  const dir = await mkdtemp(join(tmpdir(), 'tw-bench-'));
  const store = await openStore(`sqlite:${join(dir, 'bench.db')}`);
  await store.migrate();
  const engine = new Engine({
    store,
    modules,
    services: createModuleServices(store),
    clock: systemClock,
    targets: syntheticFleet,
    options: { defaultTz: 'UTC', executorConcurrency: 10, ...options },
  });
  const org = await store.orgs.create({ id: newId(), name: 'bench', createdAt: Date.now() });
  return {
    store,
    engine,
    orgId: org.id,
    async done() {
      await engine.stop(1_000);
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const task = (b: Bench, def: Record<string, unknown>) =>
  b.engine.createTask(b.orgId, readTaskDef({ name: `t-${newId()}`, ...def }, { modules, defaultTz: 'UTC' }), null);

async function endToEnd(count: number) {
  const b = await open();
  const t = await task(b, {
    concurrency: 'allow',
    schedule: { kind: 'manual' },
    jobs: [{ name: 'noop', module: 'noop', targets: { server: true } }],
  });
  const latencies: number[] = [];
  const created = new Map<string, number>();
  let finished = 0;
  b.engine.on((e) => {
    if (e.type === 'jobstate' && e.jobstate.status === 'finished') {
      latencies.push(e.jobstate.finishedAt! - (created.get(e.jobstate.runId) ?? e.jobstate.finishedAt!));
      finished++;
    }
  });
  await b.engine.start();
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const run = await b.engine.runNow(t.id, null);
    created.set(run.id, run.createdAt);
  }
  while (finished < count) await sleep(20);
  const seconds = (performance.now() - start) / 1000;
  await b.done();
  return { jobsPerSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function bigRun(targets: number) {
  const b = await open();
  const t = await task(b, {
    schedule: { kind: 'manual' },
    jobs: [{ name: 'cmd', module: 'command', params: { command: 'none' }, targets: { tags: [`fleet-${targets}`] } }],
  });
  const start = performance.now();
  const run = await b.engine.runNow(t.id, null);
  const seconds = (performance.now() - start) / 1000;
  const counts = await b.store.jobstates.countsByRun(run.id);
  await b.done();
  return { seconds, jobstates: Object.values(counts).reduce((a, c) => a + c, 0) };
}

async function lateness(tasks: Iterable<Record<string, unknown>>, watchMs: number, b: Bench) {
  const late: number[] = [];
  b.engine.on((e) => {
    if (e.type === 'run' && e.run.status === 'running' && e.run.reason === 'schedule')
      late.push(e.run.startedAt! - e.run.fireAt);
  });
  for (const def of tasks) await task(b, def);
  await b.engine.start();
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await sleep(watchMs);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100;
  return { late, cpuPercent };
}

async function dueAtOnce(count: number) {
  const b = await open();
  const at = new Date(Date.now() + 5_000 + count * 2).toISOString();
  const defs = Array.from({ length: count }, () => ({
    schedule: { kind: 'once', at },
    jobs: [{ name: 'noop', module: 'noop', targets: { server: true } }],
  }));
  const { late } = await lateness(defs, Date.parse(at) - Date.now() + 3_000, b);
  await b.done();
  return { runs: late.length, p50: percentile(late, 50), p99: percentile(late, 99) };
}

async function manySchedules(count: number) {
  const b = await open();
  const day = 86_400_000;
  const origin = Date.now();
  // Daily intervals with starts spread over the day: about count/1440 firings a minute.
  const defs = (function* () {
    for (let i = 0; i < count; i++) {
      const start = new Date(origin + 60_000 + Math.floor((i / count) * day)).toISOString();
      yield {
        schedule: { kind: 'interval', every: '1d', start },
        jobs: [{ name: 'noop', module: 'noop', targets: { server: true } }],
      };
    }
  })();
  const loadStart = performance.now();
  const { late, cpuPercent } = await lateness(defs, 60_000, b);
  const loadSeconds = (performance.now() - loadStart) / 1000 - 60;
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  await b.done();
  return { loadSeconds, firings: late.length, p99: percentile(late, 99), cpuPercent, rssMb };
}

export default async function engineBench(): Promise<void> {
  const rows: Record<string, string>[] = [];
  const a = await endToEnd(n(20_000));
  rows.push({
    scenario: `(a) ${n(20_000)} noop server jobs end to end`,
    result: `${fmt(a.jobsPerSecond, 0)} jobs/s`,
    latency: `p50 ${fmt(a.p50, 0)} ms, p99 ${fmt(a.p99, 0)} ms`,
  });
  const bRun = await bigRun(n(10_000));
  rows.push({
    scenario: `(b) one run with ${bRun.jobstates} jobstates created`,
    result: `${fmt(bRun.seconds, 2)} s`,
    latency: '',
  });
  const c = await dueAtOnce(n(1_000));
  rows.push({
    scenario: `(c) ${n(1_000)} tasks due at one instant (${c.runs} runs)`,
    result: '',
    latency: `start lateness p50 ${fmt(c.p50, 0)} ms, p99 ${fmt(c.p99, 0)} ms`,
  });
  const d = await manySchedules(n(100_000));
  rows.push({
    scenario: `(d) ${n(100_000)} recurring schedules (${d.firings} firings in 60 s)`,
    result: `idle CPU ${fmt(d.cpuPercent)} %, RSS ${fmt(d.rssMb, 0)} MB, loaded in ${fmt(d.loadSeconds, 0)} s`,
    latency: `lateness p99 ${fmt(d.p99, 0)} ms`,
  });
  printTable('Engine on SQLite (real clock, executor concurrency 10)', rows);
}
