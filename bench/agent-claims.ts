// `npm run bench -- agent-claims [--agents N] [--per-agent P] [--batch K] [--json]`: the
// SQLite store claiming agents' prepared jobstates as a fleet's contacts do (claimForAgents,
// K agents a call), in µs a claimed jobstate, with one capacity for every agent (a fleet's
// usual case) beside capacities that differ from one agent to the next, in the same run.
//   setup: N agents (1,000) with P prepared jobstates each (30), in one store per measure
//   measured: claims of capacity 10 (one capacity) or 10 and 11 in turn (mixed) over every
//   agent, K a call (256: a claim round's size), until all P of each agent are claimed
// The bench ends by itself (a watchdog bounds it).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt } from '../src/cli/table.ts';
import { openStore } from '../src/store/open.ts';
import { makeJobstate, seedRun, T0 } from '../test/store/fixtures.ts';
import { numberOption, report } from './support/args.ts';
import { watchdog } from './support/limits.ts';

const LIMIT_MS = 300_000;
const CAPACITY = 10;
const INSERT_CHUNK = 1_000;

interface Plan {
  agents: number;
  perAgent: number;
  batch: number;
}

/** µs a claimed jobstate, claiming every prepared one of a fresh store with `capacityOf(agent's index)`. */
async function claimAll(dir: string, plan: Plan, capacityOf: (i: number) => number): Promise<number> {
  const store = await openStore(`sqlite:${join(dir, `claims-${capacityOf(1)}.db`)}`);
  try {
    await store.migrate();
    const run = await seedRun(store, { status: 'running' });
    const agents = Array.from({ length: plan.agents }, (_, i) => `agent-${i}`);
    const prepared = agents.flatMap((agentId) =>
      Array.from({ length: plan.perAgent }, (_, k) =>
        makeJobstate(run, { status: 'prepared', agentId, preparedAt: T0 + k }),
      ),
    );
    for (let i = 0; i < prepared.length; i += INSERT_CHUNK)
      await store.jobstates.insertMany(prepared.slice(i, i + INSERT_CHUNK));
    let claimed = 0;
    let round = 0;
    const started = performance.now();
    while (claimed < prepared.length) {
      let got = 0;
      for (let from = 0; from < agents.length; from += plan.batch) {
        const requests = agents
          .slice(from, from + plan.batch)
          .map((agentId, i) => ({ agentId, capacity: capacityOf(from + i), skip: [] }));
        got += (await store.jobstates.claimForAgents(requests, T0 + 100 + round)).flat().length;
      }
      if (got === 0) throw new Error(`agent-claims: ${prepared.length - claimed} prepared jobstates left unclaimed`);
      claimed += got;
      round++;
    }
    return ((performance.now() - started) * 1000) / claimed;
  } finally {
    await store.close();
  }
}

export default async function agentClaimsBench(args: string[]): Promise<void> {
  const plan: Plan = {
    agents: numberOption(args, '--agents', 1_000),
    perAgent: numberOption(args, '--per-agent', 30),
    batch: numberOption(args, '--batch', 256),
  };
  if (plan.agents < 1 || plan.perAgent < 1 || plan.batch < 1)
    throw new Error('agent-claims: --agents, --per-agent and --batch must be at least 1');
  watchdog('agent-claims', LIMIT_MS);
  const dir = await mkdtemp(join(tmpdir(), 'tw-agent-claims-'));
  try {
    const oneCapacity = await claimAll(dir, plan, () => CAPACITY);
    const mixed = await claimAll(dir, plan, (i) => CAPACITY + (i % 2));
    report(args, {
      bench: 'agent-claims',
      tables: [
        {
          title: `SQLite claims of ${plan.agents} agents' ${plan.perAgent} prepared jobstates each, ${plan.batch} agents a call: µs a claimed jobstate`,
          rows: [
            {
              'one capacity (10)': fmt(oneCapacity, 1),
              'mixed capacities (10, 11)': fmt(mixed, 1),
              'mixed ÷ one': fmt(mixed / oneCapacity, 2),
            },
          ],
        },
      ],
      figures: { ...plan, microsPerClaim: { oneCapacity, mixed } },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
