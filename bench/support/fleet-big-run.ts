// The fleet bench's big run: `agents` agents written straight into the store, then one run
// over all of them through the engine (in this process): the time to create the run, and
// until every jobstate of it is prepared.
import { newId } from '../../src/core/ids.ts';
import type { Agent } from '../../src/core/model.ts';
import type { JobstateCounts } from '../../src/core/ports/store.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { openStore } from '../../src/store/open.ts';
import { makeAgent } from '../../test/store/fixtures.ts';
import { builtinEngine } from '../../test/support/engine.ts';
import { waitFor } from './limits.ts';

export const BENCH_COMMAND = { name: 'bench-true', argv: ['true'], runsOn: 'agent', timeout: '1m' };
export const BENCH_JOB = {
  name: 'true',
  module: 'command',
  params: { command: 'bench-true' },
  targets: { tags: ['bench'] },
};

export interface BigRun {
  agents: number;
  createdSeconds: number;
  preparedSeconds: number;
  /** CPU of this process (the engine, its store driver, GC) from the start call to all prepared: less bent by load than the times. */
  cpuSeconds: number;
}

export async function bigRun(dbUrl: string, agents: number, limitMs: number): Promise<BigRun> {
  const store = await openStore(dbUrl);
  try {
    await store.migrate();
    const { modules, engine } = builtinEngine(store);
    const now = Date.now();
    const org = await store.orgs.create({ id: newId(), name: 'bench', createdAt: now });
    for (let i = 0; i < agents; i += 1000) {
      await store.transaction(async (tx) => {
        for (let j = i; j < Math.min(agents, i + 1000); j++) await tx.agents.create(benchAgent(org.id, j, now));
      });
    }
    const def = readTaskDef(
      { name: 'big', schedule: { kind: 'manual' }, jobs: [BENCH_JOB] },
      { modules, defaultTz: 'UTC' },
    );
    const task = await engine.createTask(org.id, def, null);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const run = await engine.runNow(task.id, null);
    const createdSeconds = (performance.now() - started) / 1000;
    let counts: JobstateCounts | null = null;
    // Looked at before each tick: a run its start prepared whole costs no tick of the engine.
    await waitFor(
      `all ${agents} jobstates of the big run prepared`,
      async () => {
        counts = await store.jobstates.countsByRun(run.id);
        if (counts.prepared >= agents) return true;
        await engine.tick();
        return false;
      },
      { limitMs, everyMs: 0, seen: () => counts },
    );
    const preparedSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return { agents, createdSeconds, preparedSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await store.close();
  }
}

function benchAgent(orgId: string, i: number, now: number): Agent {
  return makeAgent(orgId, { deviceId: `pc-${i}`, name: `pc-${i}`, tags: ['bench'], version: 'bench', createdAt: now });
}
