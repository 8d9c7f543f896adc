// A server job whose chunk writes through its module services while another connection
// holds the SQLite file's lock: the write gives up with store_busy. That is the store's
// failure, not the module's: the chunk runs again from its checkpoint once the lock is gone
// and the job ends well, in its first attempt. Before: the jobstate ended `error`
// module_failed ("database is locked"), after blocking the event loop 5 s.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { systemClock } from '../../src/core/clock.ts';
import { newId } from '../../src/core/ids.ts';
import { Engine } from '../../src/engine/engine.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry, defineModule } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';

/** Opened by the test once the file is locked: the chunk then writes. */
let gateOpen: () => void = () => {};
const gate = new Promise<void>((resolve) => {
  gateOpen = resolve;
});
let executions = 0;
let reachedGate = false;
/** What the chunk's writes failed with. */
const failures: unknown[] = [];

/** One chunk that prunes old runs (a write), after waiting for the gate. */
const prune = defineModule<Record<string, never>>({
  name: 'gated-prune',
  title: 'Gated prune',
  runsOn: 'server',
  paramsSchema: { type: 'object', properties: {}, additionalProperties: false },
  async execute(ctx) {
    executions++;
    reachedGate = true;
    await gate;
    const pruned = await ctx.services.retention.pruneRuns(0, 10).catch((err: unknown) => {
      failures.push(err);
      throw err;
    });
    return { done: true, ok: true, result: { pruned } };
  },
});

async function until(what: string, probe: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('a chunk whose write meets a locked file runs again once the lock is gone, and ends well', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'taskwarden-busy-chunk-'));
  const file = join(dir, 'store.db');
  const store = await openSqliteStore({ file });
  await store.migrate();
  const other = new Database(file);
  const modules = createModuleRegistry([...builtinModules({ testModules: true }), prune]);
  const engine = new Engine({
    store,
    modules,
    services: createModuleServices(store),
    clock: systemClock,
    options: { defaultTz: 'UTC', maxSleepMs: 100 },
    log: { warn: () => {}, info: () => {} },
  });
  try {
    const org = await store.orgs.create({ id: newId(), name: 'busy', createdAt: Date.now() });
    const def = readTaskDef(
      { name: 'prune', jobs: [{ name: 'prune', module: 'gated-prune', targets: { server: true } }] },
      { modules, defaultTz: 'UTC' },
    );
    await engine.start();
    const run = await engine.runNow((await engine.createTask(org.id, def, 'tester')).id, 'tester');
    await until('the chunk to wait at the gate', () => reachedGate);

    other.exec('BEGIN EXCLUSIVE');
    gateOpen();
    await until('the chunk to meet the lock', () => failures.length > 0);
    other.exec('COMMIT');

    const ended = await engine.waitForRun(run.id, 20_000);
    const [js] = await store.jobstates.allOfRun(run.id);
    assert.deepEqual(
      { run: ended.status, status: js?.status, reason: js?.reason, attempt: js?.attempt, executions },
      { run: 'finished', status: 'finished', reason: null, attempt: 1, executions: 2 },
    );
    assert.match(String(failures[0]), /database locked by another process/);
    const { items: lines } = await store.logs.list(js?.id as string, { limit: 100 });
    assert.ok(
      lines.some((l) => /database locked by another process.*runs again from its checkpoint/.test(l.line)),
      lines.map((l) => l.line).join('\n'),
    );
  } finally {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await engine.stop(0);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
