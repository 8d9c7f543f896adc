import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Jobstate, Run } from '../../src/core/model.ts';
import type { Store, StoreSignals } from '../../src/core/ports/store.ts';
import {
  AGENT_CHANNEL,
  COALESCE_MS,
  PeerSignals,
  parseAgentSignal,
  WAKE_CHANNEL,
  WORK_CHANNEL,
} from '../../src/engine/peers.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { builtinEngine } from '../support/engine.ts';
import { openTestStore } from '../support/store.ts';

/** Signals within one process: what was published, and subscribers called synchronously. */
function memorySignals() {
  const published: { channel: string; payload: string }[] = [];
  const subscribers = new Map<string, Set<(payload: string) => void>>();
  const signals: StoreSignals = {
    async publish(channel, payload) {
      published.push({ channel, payload });
      for (const fn of subscribers.get(channel) ?? []) fn(payload);
    },
    subscribe(channel, fn) {
      const set = subscribers.get(channel) ?? new Set();
      subscribers.set(channel, set);
      set.add(fn);
      return () => set.delete(fn);
    },
    ready: async () => {},
  };
  return { signals, published, on: (channel: string) => published.filter((p) => p.channel === channel) };
}

const prepared = (over: Partial<Jobstate>) => ({
  type: 'jobstate' as const,
  jobstate: { status: 'prepared', runner: 'server', agentId: null, ...over } as Jobstate,
});
const run = (status: Run['status']) => ({ type: 'run' as const, run: { status } as Run });

describe('PeerSignals', () => {
  test('wakes other nodes for task writes, new runs and server jobs prepared; not for the rest', () => {
    const { signals, on } = memorySignals();
    const peers = new PeerSignals(signals, 'node-a');
    peers.observe({ type: 'task', taskId: 't', orgId: 'o', action: 'delete' });
    peers.observe(run('running'));
    peers.observe(run('finished'));
    peers.observe(prepared({ status: 'finished' }));
    assert.equal(on(WAKE_CHANNEL).length, 0);
    peers.observe({ type: 'task', taskId: 't', orgId: 'o', action: 'create' });
    assert.deepEqual(on(WAKE_CHANNEL), [{ channel: WAKE_CHANNEL, payload: 'node-a' }], 'the first goes at once');
    peers.close();
    for (const [event, channel] of [
      [{ type: 'task' as const, taskId: 't', orgId: 'o', action: 'update' as const }, WAKE_CHANNEL],
      [run('pending'), WAKE_CHANNEL],
      [prepared({}), WORK_CHANNEL],
    ] as const) {
      const fresh = new PeerSignals(signals, 'node-a');
      const before = [on(WAKE_CHANNEL).length, on(WORK_CHANNEL).length];
      fresh.observe(event);
      const after = [on(WAKE_CHANNEL).length, on(WORK_CHANNEL).length];
      const expected = channel === WAKE_CHANNEL ? [1, 0] : [0, 1];
      assert.deepEqual([after[0]! - before[0]!, after[1]! - before[1]!], expected, JSON.stringify(event));
      fresh.close();
    }
  });

  test('coalesces wakes within the window into one more, sent when it closes', async () => {
    const { signals, on } = memorySignals();
    const peers = new PeerSignals(signals, 'node-a');
    for (let i = 0; i < 500; i++) peers.observe(prepared({}));
    assert.equal(on(WORK_CHANNEL).length, 1);
    await sleep(COALESCE_MS * 3);
    assert.equal(on(WORK_CHANNEL).length, 2, 'one trailing wake for the 499 others');
    await sleep(COALESCE_MS * 2);
    assert.equal(on(WORK_CHANNEL).length, 2, 'and nothing after');
    assert.equal(on(WAKE_CHANNEL).length, 0, 'prepared work wakes executors, not loops');
    peers.close();
  });

  test('names the agents with work prepared, batched, with the sending node', async () => {
    const { signals, on } = memorySignals();
    const peers = new PeerSignals(signals, 'node-a');
    peers.observe(prepared({ runner: 'agent', agentId: 'agent-0' }));
    const agents = Array.from({ length: 400 }, (_, i) => `agent-${i}`);
    for (const agentId of agents) peers.observe(prepared({ runner: 'agent', agentId }));
    await sleep(COALESCE_MS * 3);
    const signalsSent = on(AGENT_CHANNEL).map((p) => parseAgentSignal(p.payload));
    assert.ok(signalsSent.every((s) => s.from === 'node-a'));
    assert.deepEqual(signalsSent[0]?.agentIds, ['agent-0']);
    assert.deepEqual(
      signalsSent.slice(1).flatMap((s) => s.agentIds),
      agents,
      'each agent of the window named once',
    );
    assert.ok(signalsSent.length <= 5, `${signalsSent.length} signals for 401 agents`);
    for (const sent of on(AGENT_CHANNEL)) assert.ok(Buffer.byteLength(sent.payload) < 8000);
    assert.equal(on(WAKE_CHANNEL).length + on(WORK_CHANNEL).length, 0, 'agent work does not wake the engines');
    peers.close();
  });

  test('listen wakes on other nodes’ signals only', async () => {
    const { signals } = memorySignals();
    const a = new PeerSignals(signals, 'node-a');
    const b = new PeerSignals(signals, 'node-b');
    let wokenA = 0;
    let wokenB = 0;
    let workB = 0;
    const offA = a.listen(() => wokenA++);
    const offB = b.listen(
      () => wokenB++,
      () => workB++,
    );
    a.observe(run('pending'));
    assert.deepEqual([wokenA, wokenB], [0, 1]);
    a.observe(prepared({}));
    assert.deepEqual([wokenB, workB], [1, 1], 'prepared work reaches the executor');
    offB();
    await sleep(COALESCE_MS * 2);
    b.observe(run('pending'));
    assert.deepEqual([wokenA, wokenB], [1, 1]);
    offA();
    a.close();
    b.close();
  });

  test('a publish that fails is dropped quietly', async () => {
    const failing: StoreSignals = {
      publish: async () => {
        throw new Error('connection refused');
      },
      subscribe: () => () => {},
      ready: async () => {},
    };
    const peers = new PeerSignals(failing, 'node-a');
    peers.observe(run('pending'));
    await sleep(10);
    peers.close();
  });

  test('parseAgentSignal reads what the engine sends', () => {
    assert.deepEqual(parseAgentSignal('n1;a,b'), { from: 'n1', agentIds: ['a', 'b'] });
    assert.deepEqual(parseAgentSignal('n1;'), { from: 'n1', agentIds: [] });
  });
});

describe('Engine.start and its signals', () => {
  test('waits for the subscriptions to be in place before its loop claims: a wake sent meanwhile would be lost', async () => {
    const { store, cleanup } = await openTestStore();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { signals } = memorySignals();
    // The store as a node on a shared database sees it: signals whose LISTEN is not in place yet.
    const shared = Object.create(store, { signals: { value: { ...signals, ready: () => gate } } }) as Store;
    const { modules, engine } = builtinEngine(shared, { maxSleepMs: 60_000 });
    try {
      const org = await store.orgs.create({ id: 'org-signals', name: 'signals', createdAt: Date.now() });
      const def = {
        name: 'noop',
        schedule: { kind: 'manual' },
        jobs: [{ name: 'n', module: 'noop', targets: { server: true } }],
      };
      const task = await engine.createTask(org.id, readTaskDef(def, { modules, defaultTz: 'UTC' }), null);
      const run = await engine.runNow(task.id, null);
      let started = false;
      const starting = engine.start().then(() => {
        started = true;
      });
      await sleep(200);
      assert.equal(started, false, 'start() waits for ready()');
      const [js] = await store.jobstates.allOfRun(run.id);
      assert.equal(js?.status, 'prepared', 'nothing claimed before the signals are ready');
      release();
      await starting;
      assert.equal((await engine.waitForRun(run.id, 10_000)).status, 'finished');
    } finally {
      await engine.stop(0);
      await cleanup();
    }
  });
});
