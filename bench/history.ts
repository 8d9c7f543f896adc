// `npm run bench -- history [--jobstates N] [--db sqlite|postgres] [--json]`: what a long
// history costs the engine's loop, which must not grow with it: the time of one idle pass
// (`engine.tick()`, nothing due) on a new store, then again once N ended jobstates (200,000,
// in runs of 100) are stored, as a year of a daily job on 550 agents leaves. They ran in a
// timeslot, so each keeps its window's close. Beside it, the metrics' counts by status,
// which read every row by design, and the longest they held the event loop.
// Each pass is timed 20 times after a warm-up one; the bench ends by itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt } from '../src/cli/table.ts';
import { systemClock } from '../src/core/clock.ts';
import type { Store } from '../src/core/ports/store.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../src/engine/context.ts';
import { Engine } from '../src/engine/engine.ts';
import { builtinModules } from '../src/modules/builtin.ts';
import { createModuleRegistry } from '../src/modules/sdk/index.ts';
import { createModuleServices } from '../src/server/module-services.ts';
import { openStore } from '../src/store/open.ts';
import { makeJobstate, makeRun, seedTask, T0 } from '../test/store/fixtures.ts';
import { longestStall } from '../test/support/event-loop.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { choiceOption, numberOption, report } from './support/args.ts';
import { watchdog } from './support/limits.ts';

const TIMED = 20;
const PER_RUN = 100;
const LIMIT_MS = 600_000;

/** Mean ms of `call` over TIMED calls, after a warm-up one. */
async function meanMs(call: () => Promise<unknown>): Promise<number> {
  await call();
  const started = performance.now();
  for (let i = 0; i < TIMED; i++) await call();
  return (performance.now() - started) / TIMED;
}

/** ms of one call of `call`, and the longest the event loop was held meanwhile: what every request waited at worst. */
async function onceMs(call: () => Promise<unknown>): Promise<{ ms: number; loopHeldMs: number }> {
  const started = performance.now();
  const loopHeldMs = await longestStall(call(), 1);
  return { ms: performance.now() - started, loopHeldMs };
}

/** `count` ended agent jobstates of one task, in runs of PER_RUN, each with the close of the window it ran in. */
async function storeHistory(store: Store, count: number): Promise<void> {
  const task = await seedTask(store);
  for (let first = 0; first < count; first += PER_RUN) {
    const run = makeRun(task, { status: 'finished' });
    await store.runs.insertMany([run]);
    const ended = { status: 'finished', runner: 'agent', startedAt: T0, finishedAt: T0 + 1_000 } as const;
    const jobstates = Array.from({ length: Math.min(PER_RUN, count - first) }, (_, i) =>
      makeJobstate(run, { ...ended, agentId: `agent-${i}`, windowClosesAt: T0 + 3_600_000 }),
    );
    await store.jobstates.insertMany(jobstates);
  }
}

export default async function historyBench(args: string[]): Promise<void> {
  const count = numberOption(args, '--jobstates', 200_000);
  const db = choiceOption(args, '--db', ['sqlite', 'postgres'] as const);
  watchdog('history', LIMIT_MS);
  const dir = await mkdtemp(join(tmpdir(), 'tw-history-'));
  const server = db === 'postgres' ? await startPostgres() : null;
  try {
    const url = (await server?.createDatabase())?.url ?? `sqlite:${join(dir, 'bench.db')}`;
    const store = await openStore(url);
    await store.migrate();
    const modules = createModuleRegistry(builtinModules());
    const options = { ...DEFAULT_ENGINE_OPTIONS, defaultTz: 'UTC' };
    const engine = new Engine({ store, modules, services: createModuleServices(store), clock: systemClock, options });
    const idlePassMs = { empty: await meanMs(() => engine.tick()), history: 0 };
    await storeHistory(store, count);
    idlePassMs.history = await meanMs(() => engine.tick());
    await store.runs.countByStatus(); // a first read starts what reads them (SQLite: its thread)
    const countsMs = {
      jobstates: await onceMs(() => store.jobstates.countByStatus()),
      runs: await onceMs(() => store.runs.countByStatus()),
    };
    await engine.stop(0);
    await store.close();
    report(args, {
      bench: 'history',
      tables: [
        {
          title: `${db}: ${count.toLocaleString('en-US')} ended jobstates (runs of ${PER_RUN}, windowed), ms`,
          rows: [
            { measure: 'idle loop pass, new store', ms: fmt(idlePassMs.empty, 2) },
            { measure: 'idle loop pass, with the history', ms: fmt(idlePassMs.history, 2) },
            { measure: '  ÷ new store (goal ≈ 1)', ms: fmt(idlePassMs.history / idlePassMs.empty, 2) },
            ...Object.entries(countsMs).map(([table, { ms, loopHeldMs }]) => ({
              measure: `metrics: ${table} by status (every row); event loop held`,
              ms: `${fmt(ms, 1)}; ${fmt(loopHeldMs, 1)}`,
            })),
          ],
        },
      ],
      figures: { db, jobstates: count, idlePassMs, countsMs },
    });
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
