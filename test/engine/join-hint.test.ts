// A contact looks for late-join runs only when its org may have one open (join-hint.ts):
// the reads of a quiet org's contacts are counted, and a run that opens a join window is
// joined at the very next contact all the same. Runs on SQLite, and on PostgreSQL with
// TASKWARDEN_TEST_DB=postgres.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Agent } from '../../src/core/model.ts';
import { makeAgent, makeCommand } from '../store/fixtures.ts';
import { type EngineHarness, startEngineHarness } from '../support/engine.ts';

const CONTACTS = 10;

let h: EngineHarness;
let reads: number;
beforeEach(async () => {
  h = await startEngineHarness();
  await h.store.commands.upsert(
    makeCommand(h.orgId, { name: 'hello', argv: ['echo', 'hello'], params: {}, runsOn: 'agent' }),
  );
  reads = 0;
  const { openRuns } = h.store.lateJoin;
  h.store.lateJoin.openRuns = (...args) => {
    reads++;
    return openRuns.apply(h.store.lateJoin, args);
  };
});
afterEach(() => h.cleanup());

const hello = (targets: Record<string, unknown>) => ({
  name: 'hello',
  module: 'command',
  params: { command: 'hello' },
  targets,
});

async function contacts(agent: Agent): Promise<number> {
  let joined = 0;
  for (let i = 0; i < CONTACTS; i++) joined += await h.engine.joinLate(agent);
  return joined;
}

test('the contacts of an org with no open late-join run read once, not once each', async () => {
  const agent = await h.store.agents.create(makeAgent(h.orgId, { tags: ['accounting'] }));
  // A run without a join window changes nothing.
  const task = await h.addTask({ schedule: { kind: 'manual' }, jobs: [hello({ tags: ['accounting'] })] });
  await h.engine.runNow(task.id, 'tester');
  await h.settle();
  assert.equal(await contacts(agent), 0);
  assert.equal(reads, 1, `${CONTACTS} contacts read the open runs ${reads} times`);
});

test('a run that opens a join window is joined at the next contact of an org that was quiet', async () => {
  const agent = await h.store.agents.create(makeAgent(h.orgId, { tags: ['sales'] }));
  assert.equal(await contacts(agent), 0, 'nothing open: the org is quiet');
  const task = await h.addTask({
    schedule: { kind: 'manual' },
    jobs: [hello({ tags: ['accounting'], lateJoin: '7d' })],
  });
  const run = await h.engine.runNow(task.id, 'tester');
  await h.settle();
  // Tagged behind the engine's back (as by another node whose own join failed): only its contact joins it.
  await h.store.agents.update(agent.id, { tags: ['accounting'] });
  assert.equal(await h.engine.joinLate(agent), 1, 'joined at its next contact');
  const joined = await h.store.jobstates.allOfRun(run.id);
  assert.deepEqual(
    joined.map((js) => js.agentId),
    [agent.id],
  );
  // The window passed (the run waits for its joiner): the org is quiet again after one read.
  await h.advance(8 * 24 * 3_600_000);
  reads = 0;
  await contacts(agent);
  assert.ok(reads <= 2, `after the window: ${reads} reads for ${CONTACTS} contacts`);
});
