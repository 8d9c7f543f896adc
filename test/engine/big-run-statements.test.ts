// A run's creation and start cost the store the same statements whatever its number of
// targets (counted, never timed), on the store TASKWARDEN_TEST_DB names: its jobstates go
// in by bulk statements of up to BULK_CHUNK rows (bulk-insert.ts), not by multi-row
// VALUES of 200 rows each (15 INSERTs for 3,000 agents, 500 for 100,000).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { makeAgent } from '../store/fixtures.ts';
import { builtinEngine } from '../support/engine.ts';
import { statementCounter } from '../support/statements.ts';
import { openTestStore } from '../support/store.ts';

const MANY = 3_000;
const FEW = 100;

test(`a run over ${MANY} agents is created and prepared in the statements of one over ${FEW}`, async () => {
  const counter = statementCounter();
  const { store, cleanup } = await openTestStore();
  const { modules, engine } = builtinEngine(store);
  try {
    const now = Date.now();
    const org = await store.orgs.create({ id: newId(), name: 'big-run', createdAt: now });
    await store.transaction(async (tx) => {
      for (let i = 0; i < MANY; i++) {
        const tags = i < FEW ? ['many', 'few'] : ['many'];
        await tx.agents.create(makeAgent(org.id, { deviceId: `pc-${i}`, name: `pc-${i}`, tags, createdAt: now }));
      }
    });
    const statementsOfRun = async (tag: string, agents: number) => {
      const def = {
        name: `over-${tag}`,
        schedule: { kind: 'manual' },
        jobs: [{ name: 'true', module: 'command', params: { command: 'true' }, targets: { tags: [tag] } }],
      };
      const task = await engine.createTask(org.id, readTaskDef(def, { modules, defaultTz: 'UTC' }), null);
      counter.statements = 0;
      counter.counting = true;
      const run = await engine.runNow(task.id, null);
      counter.counting = false;
      const counts = await store.jobstates.countsByRun(run.id);
      assert.equal(
        counts.prepared,
        agents,
        `every jobstate of the run over ${tag} prepared: ${JSON.stringify(counts)}`,
      );
      return counter.statements;
    };
    const few = await statementsOfRun('few', FEW);
    const many = await statementsOfRun('many', MANY);
    console.log(`statements of a run over ${FEW} agents: ${few}, over ${MANY}: ${many}`);
    assert.equal(many, few, `statements of a run over ${MANY} agents (${many}) and over ${FEW} (${few})`);
  } finally {
    await engine.stop(0);
    await cleanup();
  }
});
