// Kills a real engine process with SIGKILL in the middle of a chunked job, restarts it,
// and checks the job resumes from its last checkpoint and the run finishes exactly once.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../src/core/clock.ts';
import { newId } from '../../src/core/ids.ts';
import { Engine } from '../../src/engine/engine.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { openStore } from '../../src/store/open.ts';

const CHUNKS = 30;

function startNode(db: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '../fixtures/engine-node.ts'), db],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`engine node exited early (${code})`)));
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await probe();
    if (value) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('SIGKILL mid chunked job: it resumes from its last checkpoint and the run finishes once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tw-crash-'));
  const db = join(dir, 'taskwarden.db');
  const store = await openStore(`sqlite:${db}`);
  await store.migrate();
  const modules = createModuleRegistry(builtinModules({ testModules: true }));
  // This process only defines the task and asks for a run; the child does the work.
  const author = new Engine({
    store,
    modules,
    services: createModuleServices(store),
    clock: systemClock,
    options: { defaultTz: 'UTC' },
  });
  const org = await store.orgs.create({ id: newId(), name: 'crash', createdAt: Date.now() });
  const def = readTaskDef(
    {
      name: 'chunky',
      schedule: { kind: 'manual' },
      jobs: [{ name: 'work', module: 'noop', params: { chunks: CHUNKS, sleepMs: 100 }, targets: { server: true } }],
    },
    { modules, defaultTz: 'UTC' },
  );
  const task = await author.createTask(org.id, def, 'tester');
  const run = await author.runNow(task.id, 'tester');

  const first = await startNode(db);
  // Killed while a chunk runs, not in the instant between two chunks (when it is prepared).
  const checkpointed = await until('a few checkpoints, and the next chunk running', async () => {
    const [js] = await store.jobstates.allOfRun(run.id);
    const done = (js?.checkpoint as { done?: number } | null)?.done ?? 0;
    return done >= 5 && js?.status === 'running' && { id: js.id, done };
  });
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const [afterKill] = await store.jobstates.allOfRun(run.id);
  assert.equal(afterKill?.status, 'running', 'left running by the dead process');
  const lastCheckpoint = (afterKill!.checkpoint as { done: number }).done;
  assert.ok(lastCheckpoint >= checkpointed.done);

  const second = await startNode(db);
  const finished = await until('the run to finish', async () => {
    const r = await store.runs.get(run.id);
    return r && ['finished', 'error'].includes(r.status) && r;
  });
  second.kill('SIGTERM');
  const exitCode = await new Promise((resolve) => second.once('exit', resolve));
  assert.equal(exitCode, 0, 'clean shutdown on SIGTERM');

  assert.equal(finished.status, 'finished');
  const [js] = await store.jobstates.allOfRun(run.id);
  assert.deepEqual([js?.status, js?.attempt, js?.result], ['finished', 1, { chunks: CHUNKS, attempt: 1 }]);
  const { items: runs } = await store.runs.list({ taskId: task.id }, { limit: 10 });
  assert.equal(runs.length, 1, 'one run, finished once');

  const lines = (await store.logs.list(js!.id, { limit: 1000 })).items.map((l) => l.line);
  const marker = lines.indexOf('the node running this job stopped; resuming from its last checkpoint');
  assert.ok(marker > 0, lines.join('\n'));
  assert.equal(lines[marker + 1], `chunk ${lastCheckpoint + 1}/${CHUNKS}`, 'resumed right after its last checkpoint');
  const chunks = new Set(lines.filter((l) => l.startsWith('chunk ')));
  assert.equal(chunks.size, CHUNKS, 'every chunk ran');
  assert.ok(
    lines.filter((l) => l.startsWith('chunk ')).length <= CHUNKS + 1,
    'at most the chunk in flight at the kill ran twice',
  );

  await store.close();
  await rm(dir, { recursive: true, force: true });
});
