// What a dead node process of this machine left running (a recorded program, a real
// process) is killed before its attempt ends `interrupted`: at the start of the next node,
// and by a node that recovers the jobstate when its lease lapsed. A live node's program is
// left alone.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { systemClock } from '../../src/core/clock.ts';
import { newId } from '../../src/core/ids.ts';
import { type LocalProcesses, PROCESS_MARK_VARIABLE, type ProcessIdentity } from '../../src/core/ports/processes.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { Engine } from '../../src/engine/engine.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { localProcesses } from '../../src/modules/command/local-processes.ts';
import { createModuleRegistry } from '../../src/modules/sdk.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { makeJobstate, seedRun } from '../store/fixtures.ts';
import { openTestStore } from '../support/store.ts';

const local = localProcesses();
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

function spawnSleep(env: Record<string, string> = {}): { child: ChildProcess; identity: ProcessIdentity } {
  const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { ...env, PATH: process.env['PATH'] } });
  children.push(child);
  const identity = local.identify(child.pid as number);
  assert.ok(identity);
  return { child, identity };
}

/** A node process that ran and is gone: its pid and start time name no live process. */
async function deadNode(): Promise<ProcessIdentity> {
  const { child, identity } = spawnSleep();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return identity;
}

/** A running server jobstate of a node that is gone, and its program: a real `sleep`, recorded. */
async function leftover(store: Store, owner: ProcessIdentity, processes: LocalProcesses) {
  const run = await seedRun(store, { status: 'running' });
  const now = systemClock.now();
  const js = makeJobstate(run, {
    status: 'running',
    runner: 'server',
    leaseOwner: 'gone/claim',
    leaseExpiresAt: now - 1_000,
    startedAt: now - 60_000,
  });
  await store.jobstates.insertMany([js]);
  const mark = newId();
  const { identity: program } = spawnSleep({ [PROCESS_MARK_VARIABLE]: mark });
  await store.commandProcesses.add({
    jobstateId: js.id,
    attempt: 1,
    leaseOwner: 'gone/claim',
    ...(processes.machine as { hostname: string; bootId: string }),
    ownerPid: owner.pid,
    ownerStartTicks: owner.startTicks,
    mark,
    pgid: program.pid,
    startTicks: program.startTicks,
    createdAt: now - 60_000,
  });
  return { js, program };
}

async function harness() {
  const { store, cleanup } = await openTestStore();
  const engine = new Engine({
    store,
    modules: createModuleRegistry(builtinModules()),
    services: createModuleServices(store),
    clock: systemClock,
    options: { defaultTz: 'UTC', maxSleepMs: 100 },
    processes: local,
    log: { warn: () => {}, info: () => {} },
  });
  return { store, engine, cleanup };
}

const skip = local.machine === null ? 'no /proc here' : false;

test('at start, a dead node’s program is killed before its attempt ends interrupted and is retried', {
  skip,
}, async () => {
  const { store, engine, cleanup } = await harness();
  try {
    const { js, program } = await leftover(store, await deadNode(), local);
    const aliveWhenEnded: boolean[] = [];
    engine.on((event) => {
      if (event.type === 'jobstate' && event.jobstate.id === js.id) aliveWhenEnded.push(!!local.identify(program.pid));
    });
    await engine.start();
    assert.equal(local.identify(program.pid), null, 'the program was killed');
    assert.deepEqual(aliveWhenEnded, [false], 'it was dead when attempt 1 ended');
    const after = await store.jobstates.get(js.id);
    assert.deepEqual([after?.status, after?.reason, after?.attempt], ['waiting', 'retry_backoff', 2]);
    const { items } = await store.logs.list(js.id, { limit: 100 });
    assert.ok(
      items.some((l) => l.line.includes('1 leftover process(es) killed')),
      JSON.stringify(items),
    );
    assert.equal(await store.commandProcesses.get(js.id, 1), null, 'its record is gone');
  } finally {
    await engine.stop(0);
    await cleanup();
  }
});

test('a program of a live node process (this one) is left alone', { skip }, async () => {
  const { store, engine, cleanup } = await harness();
  try {
    const { js, program } = await leftover(store, local.self(), local);
    await engine.start();
    assert.ok(local.identify(program.pid), 'still running');
    assert.ok(await store.commandProcesses.get(js.id, 1), 'still recorded');
  } finally {
    await engine.stop(0);
    await cleanup();
  }
});

test('a lapsed lease: the node that recovers the jobstate kills the dead node’s program first', { skip }, async () => {
  const { store, engine, cleanup } = await harness();
  try {
    const { js, program } = await leftover(store, await deadNode(), local);
    // Not started: this is another node's sweep, which finds the lease lapsed.
    await engine.tick();
    assert.equal(local.identify(program.pid), null, 'the program was killed');
    const after = await store.jobstates.get(js.id);
    assert.deepEqual([after?.status, after?.attempt], ['waiting', 2]);
    assert.equal(await store.commandProcesses.get(js.id, 1), null);
  } finally {
    await cleanup();
  }
});
