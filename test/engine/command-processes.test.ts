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
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { localProcesses } from '../../src/server/local-processes.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { makeCommand, makeJobstate, makeOrg, seedRun } from '../store/fixtures.ts';
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
    modules: createModuleRegistry(builtinModules({ testModules: true })),
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

/** An engine running the server command `sleep 30`; `cut` makes lease renewals fail, as a database out of reach would. */
async function sleeping(options: { multiNode: boolean }) {
  const { store, cleanup } = await openTestStore();
  let cut = false;
  const seen: Store = Object.create(store, {
    capabilities: { value: { ...store.capabilities, multiNode: options.multiNode } },
    jobstates: {
      value: {
        ...store.jobstates,
        renewLeases: (...args: Parameters<Store['jobstates']['renewLeases']>) => {
          if (cut) return Promise.reject(new Error('connect ECONNREFUSED (fault injected)'));
          return store.jobstates.renewLeases(...args);
        },
      },
    },
  });
  const modules = createModuleRegistry(builtinModules({ testModules: true }));
  const warnings: string[] = [];
  const engine = new Engine({
    store: seen,
    modules,
    services: createModuleServices(store),
    clock: systemClock,
    options: { defaultTz: 'UTC', maxSleepMs: 100, leaseMs: 1_500 },
    processes: local,
    log: { warn: (message) => warnings.push(message), info: () => {} },
  });
  await store.commands.upsert(
    makeCommand(null, { name: 'sleeper', argv: ['sleep', '30'], params: {}, runsOn: 'server' }),
  );
  const org = await store.orgs.create(makeOrg());
  const def = readTaskDef(
    {
      name: 'sleeper',
      jobs: [{ name: 'sleep', module: 'command', params: { command: 'sleeper' }, targets: { server: true } }],
    },
    { modules, defaultTz: 'UTC' },
  );
  await engine.start();
  const run = await engine.runNow((await engine.createTask(org.id, def, null)).id, null);
  const [js] = await store.jobstates.allOfRun(run.id);
  assert.ok(js);
  const program = await waitFor('the program to run, recorded', async () => {
    const record = await store.commandProcesses.get(js.id, 1);
    return record?.pgid ? local.identify(record.pgid) : null;
  });
  return {
    store,
    engine,
    js,
    program,
    warnings,
    cut: () => {
      cut = true;
    },
    cleanup: async () => {
      await engine.stop(0);
      await cleanup();
    },
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a lease taken over: the node that lost it kills its program at its next heartbeat', { skip }, async () => {
  const h = await sleeping({ multiNode: false });
  try {
    assert.ok(
      await h.store.jobstates.update(
        h.js.id,
        { leaseOwner: 'other-node/claim', updatedAt: Date.now() },
        { status: ['running'] },
      ),
    );
    await waitFor('the program to be killed', async () => local.identify(h.program.pid) === null, 5_000);
    await waitFor('its record to go', async () => (await h.store.commandProcesses.get(h.js.id, 1)) === null);
    const after = await h.store.jobstates.get(h.js.id);
    assert.deepEqual([after?.status, after?.leaseOwner], ['running', 'other-node/claim'], 'the loser wrote nothing');
  } finally {
    await h.cleanup();
  }
});

test('leases that cannot be renewed: the program is killed while the lease still holds', { skip }, async () => {
  const h = await sleeping({ multiNode: true });
  try {
    h.cut();
    const leaseEnd = await waitFor(
      'a last renewal',
      async () => (await h.store.jobstates.get(h.js.id))?.leaseExpiresAt,
    );
    await waitFor('the program to be killed', async () => local.identify(h.program.pid) === null, 5_000);
    const killedAt = Date.now();
    const stored = await h.store.jobstates.get(h.js.id);
    assert.ok(
      killedAt < (stored?.leaseExpiresAt ?? 0),
      `killed ${(stored?.leaseExpiresAt ?? 0) - killedAt} ms before its lease ran out`,
    );
    assert.ok(stored && stored.leaseExpiresAt !== null && stored.leaseExpiresAt <= leaseEnd + 1_500);
    assert.ok(
      h.warnings.some((w) => w.includes('its lease could not be renewed')),
      h.warnings.join('\n'),
    );
  } finally {
    await h.cleanup();
  }
});
