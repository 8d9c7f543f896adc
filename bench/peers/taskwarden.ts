// Taskwarden as a contender: on SQLite, one engine in the bench process; on PostgreSQL,
// N engine nodes as separate processes (test/fixtures/engine-node.ts), the bench process
// only submitting runs through the store, as the API would.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.ts';
import { newId } from '../../src/core/ids.ts';
import { TERMINAL_RUN_STATUSES } from '../../src/core/model.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/engine/context.ts';
import { Engine } from '../../src/engine/engine.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { openStore } from '../../src/store/open.ts';
import { type EngineNode, startEngineNode } from '../../test/cluster/support.ts';
import { waitFor } from '../support/limits.ts';
import { CONCURRENCY, type Contender, dueInstant, submitAll } from './workload.ts';

const modules = createModuleRegistry(builtinModules({ testModules: true }));
/** The engine's defaults, with the bench's concurrency. */
const OPTIONS = { ...DEFAULT_ENGINE_OPTIONS, executorConcurrency: CONCURRENCY, defaultTz: 'UTC' };
const NOOP_JOB = { name: 'noop', module: 'noop', targets: { server: true } };

/** A store and an engine to write tasks and submit runs with; `workers` runs the jobs. */
interface Side {
  store: Store;
  engine: Engine;
  orgId: string;
  /** Starts whatever runs the jobs; resolves once it runs. */
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

async function openSide(url: string, nodes: number, cleanup: () => Promise<void>): Promise<Side> {
  const store = await openStore(url);
  await store.migrate();
  const engine = new Engine({
    store,
    modules,
    services: createModuleServices(store),
    clock: systemClock,
    options: OPTIONS,
  });
  const org = await store.orgs.create({ id: newId(), name: 'bench', createdAt: Date.now() });
  const running: EngineNode[] = [];
  return {
    store,
    engine,
    orgId: org.id,
    async startWorkers() {
      if (nodes === 0) return engine.start();
      running.push(...(await Promise.all(Array.from({ length: nodes }, () => startEngineNode(url, OPTIONS)))));
    },
    async close() {
      await Promise.all(running.map((node) => node.stop()));
      await engine.stop(1_000);
      await store.close();
      await cleanup();
    },
  };
}

const addTask = (side: Side, def: Record<string, unknown>) =>
  side.engine.createTask(
    side.orgId,
    readTaskDef({ name: `t-${newId()}`, ...def }, { modules, defaultTz: 'UTC' }),
    null,
  );

/** Counting runs scans the table: every 100 ms (at most 0.1 s added to a run of many seconds) rather than 20. */
const PROBE_EVERY_MS = 100;

async function untilFinished(side: Side, count: number, limitMs: number): Promise<void> {
  let counts = await side.store.runs.countByStatus();
  await waitFor(
    'every run to end',
    async () => {
      counts = await side.store.runs.countByStatus();
      return TERMINAL_RUN_STATUSES.reduce((ended, status) => ended + counts[status], 0) === count;
    },
    { limitMs, everyMs: PROBE_EVERY_MS, seen: () => counts },
  );
  if (counts.finished !== count)
    throw new Error(`bench: runs ended otherwise than finished: ${JSON.stringify(counts)}`);
}

/** Each job's start (its jobstate's startedAt) minus its run's fire time. */
async function startLateness(store: Store): Promise<number[]> {
  const late: number[] = [];
  let after: string | undefined;
  do {
    const page = await store.runs.list({}, { after, limit: 1000 });
    for (const run of page.items) {
      for (const js of await store.jobstates.allOfRun(run.id)) late.push((js.startedAt as number) - run.fireAt);
    }
    after = page.next ?? undefined;
  } while (after);
  return late;
}

function contender(name: string, open: () => Promise<Side>): Contender {
  return {
    name,
    async throughput(count, limitMs) {
      const side = await open();
      try {
        const task = await addTask(side, { schedule: { kind: 'manual' }, concurrency: 'allow', jobs: [NOOP_JOB] });
        await submitAll(count, () => side.engine.runNow(task.id, null));
        const started = performance.now();
        await side.startWorkers();
        await untilFinished(side, count, limitMs);
        return (performance.now() - started) / 1000;
      } finally {
        await side.close();
      }
    },
    async lateness(count, limitMs) {
      const side = await open();
      try {
        const due = dueInstant();
        const def = { schedule: { kind: 'once', at: new Date(due.at).toISOString() }, jobs: [NOOP_JOB] };
        await submitAll(count, () => addTask(side, def));
        await side.startWorkers();
        due.assertBefore('creating the tasks and starting the workers');
        await untilFinished(side, count, limitMs + (due.at - Date.now()));
        return await startLateness(side.store);
      } finally {
        await side.close();
      }
    },
  };
}

/** One engine in this process on a SQLite file. */
export function taskwardenSqlite(): Contender {
  return contender('Taskwarden, SQLite (in-process)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-bench-'));
    return openSide(`sqlite:${join(dir, 'bench.db')}`, 0, () => rm(dir, { recursive: true, force: true }));
  });
}

/** `nodes` engine processes on a fresh PostgreSQL database each time. */
export function taskwardenPostgres(
  database: () => Promise<{ url: string; drop(): Promise<void> }>,
  nodes: number,
): Contender {
  const label = `Taskwarden, PostgreSQL, ${nodes} node${nodes > 1 ? 's' : ''} (processes)`;
  return contender(label, async () => {
    const db = await database();
    return openSide(db.url, nodes, () => db.drop());
  });
}
