// The programs server jobs started: a row per (jobstate, attempt) from before the spawn,
// its process group set once spawned, listed per machine, gone with the row or its run.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { CommandProcessRecord, Store } from '../../../src/core/ports/store.ts';
import { makeJobstate, seedRun, T0 } from '../fixtures.ts';
import { type OpenStore, storeTest } from './harness.ts';

async function seedJobstate(store: Store): Promise<{ id: string; orgId: string; runId: string }> {
  const run = await seedRun(store, { status: 'finished' });
  await store.runs.update(run.id, { finishedAt: T0 });
  const js = makeJobstate(run, { status: 'running', module: 'command', job: 'run' });
  await store.jobstates.insertMany([js]);
  return { id: js.id, orgId: run.orgId, runId: run.id };
}

function record(jobstateId: string, over: Partial<CommandProcessRecord> = {}): CommandProcessRecord {
  return {
    jobstateId,
    attempt: 1,
    leaseOwner: 'node-1/claim-1',
    hostname: 'host-a',
    bootId: '0f1e2d3c-0000-4000-8000-000000000001',
    ownerPid: 4242,
    ownerStartTicks: 123_456_789_012,
    mark: 'mark-1',
    pgid: null,
    startTicks: null,
    createdAt: T0,
    ...over,
  };
}

export function commandProcessCases(open: OpenStore): void {
  describe('command processes', () => {
    storeTest(open, 'a record is added before the spawn, gets its group after, and is removed', async (store) => {
      const js = await seedJobstate(store);
      const first = record(js.id);
      await store.commandProcesses.add(first);
      assert.deepEqual(await store.commandProcesses.get(js.id, 1), first);
      assert.equal(await store.commandProcesses.setGroup(js.id, 1, { pgid: 31337, startTicks: 987_654_321_098 }), true);
      const grouped = { ...first, pgid: 31337, startTicks: 987_654_321_098 };
      assert.deepEqual(await store.commandProcesses.get(js.id, 1), grouped);
      assert.equal(await store.commandProcesses.get(js.id, 2), null, 'attempts are apart');
      await store.commandProcesses.remove(js.id, 1);
      assert.equal(await store.commandProcesses.get(js.id, 1), null);
      assert.equal(await store.commandProcesses.setGroup(js.id, 1, { pgid: 1, startTicks: 1 }), false);
    });

    storeTest(open, 'one record per jobstate attempt', async (store) => {
      const js = await seedJobstate(store);
      await store.commandProcesses.add(record(js.id));
      await assert.rejects(store.commandProcesses.add(record(js.id, { mark: 'other' })));
      await store.commandProcesses.add(record(js.id, { attempt: 2, mark: 'mark-2' }));
      assert.equal((await store.commandProcesses.get(js.id, 2))?.mark, 'mark-2');
    });

    storeTest(open, 'lists the records of one hostname, oldest first', async (store) => {
      const a = await seedJobstate(store);
      const b = await seedJobstate(store);
      await store.commandProcesses.add(record(a.id, { createdAt: T0 + 2 }));
      await store.commandProcesses.add(record(b.id, { createdAt: T0 + 1 }));
      await store.commandProcesses.add(record(a.id, { attempt: 2, hostname: 'host-b' }));
      const listed = await store.commandProcesses.listOnHost('host-a');
      assert.deepEqual(
        listed.map((r) => [r.jobstateId, r.attempt]),
        [
          [b.id, 1],
          [a.id, 1],
        ],
      );
      assert.deepEqual(await store.commandProcesses.listOnHost('host-c'), []);
    });

    storeTest(open, 'a pruned run takes its records with it', async (store) => {
      const js = await seedJobstate(store);
      await store.commandProcesses.add(record(js.id));
      assert.equal(await store.runs.deleteFinishedBefore(js.orgId, T0 + 1, 10), 1);
      assert.equal(await store.commandProcesses.get(js.id, 1), null);
    });
  });
}
