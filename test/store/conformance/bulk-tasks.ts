// Bulk writes of a task load (POST /api/v1/tasks:batch): tasks, history entries and
// triggers by the hundred, in multi-row statements, all or none; and the reads and writes
// of a batch of firings (engine/firing-batch.ts), by the hundred too.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Task } from '../../../src/core/model.ts';
import { makeHistory, makeOrg, makeRun, makeTask, T0 } from '../fixtures.ts';
import { ids, type OpenStore, rejectsWithCode, storeTest } from './harness.ts';

/** More than two INSERT chunks' worth. */
const MANY = 450;

/** MANY tasks of the org, named `${prefix}-0`…, not stored. */
const manyTasks = (orgId: string, prefix: string) =>
  Array.from({ length: MANY }, (_, i) => makeTask(orgId, { name: `${prefix}-${i}` }));

export function bulkTaskCases(open: OpenStore): void {
  describe('bulk task writes', () => {
    storeTest(
      open,
      'createMany, history addMany and triggers setMany write every row; setMany replaces',
      async (store) => {
        const org = await store.orgs.create(makeOrg());
        const tasks = manyTasks(org.id, 'bulk');
        await store.tasks.createMany(tasks);
        for (const i of [0, 199, 200, MANY - 1])
          assert.deepEqual(await store.tasks.get(tasks[i]?.id as string), tasks[i]);
        const entries = tasks.map((task) => makeHistory(task));
        await store.history.addMany(entries);
        assert.deepEqual((await store.history.list(tasks[MANY - 1]?.id as string, { limit: 10 })).items, [
          entries[MANY - 1],
        ]);
        const triggers = tasks.map((t, i) => ({ taskId: t.id, orgId: org.id, nextFireAt: T0 + i, taskVersion: 1 }));
        await store.triggers.setMany(triggers);
        assert.equal(await store.triggers.nextFireAt(), T0);
        assert.deepEqual(await store.triggers.get(tasks[MANY - 1]?.id as string), triggers[MANY - 1]);
        await store.triggers.setMany(
          triggers.map((t) => ({ ...t, nextFireAt: t.nextFireAt + 60_000, taskVersion: 2 })),
        );
        assert.deepEqual(await store.triggers.get(tasks[300]?.id as string), {
          ...triggers[300],
          nextFireAt: T0 + 300 + 60_000,
          taskVersion: 2,
        });
        assert.equal((await store.triggers.claimDue(T0 + 60_000 + MANY, 1000)).length, MANY);
      },
    );

    storeTest(open, 'createMany is all or none: a name taken in the org fails it, naming the name', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      await store.tasks.create(makeTask(org.id, { name: 'taken' }));
      await store.tasks.create(makeTask(other.id, { name: 'elsewhere' }));
      const tasks = manyTasks(org.id, 'load');
      // In the third chunk: the first two were inserted before the clash is seen.
      tasks[420] = makeTask(org.id, { name: 'taken' });
      await assert.rejects(store.tasks.createMany(tasks), { code: 'task_name_taken', details: { name: 'taken' } });
      assert.equal((await store.tasks.list({ orgId: org.id }, { limit: 1000 })).items.length, 1, 'none written');
      // Another org's name is free; two of one name in the load are a conflict too.
      await store.tasks.createMany([makeTask(org.id, { name: 'elsewhere' })]);
      const twins = [makeTask(org.id, { name: 'twin' }), makeTask(org.id, { name: 'twin' })];
      await rejectsWithCode(store.tasks.createMany(twins), 'task_name_taken');
      assert.equal(await store.tasks.getByName(org.id, 'twin'), null);
    });

    storeTest(
      open,
      'a batch of firings: getMany, listActiveOf, runs insertMany (skipping taken firings), triggers clearMany',
      async (store) => {
        const org = await store.orgs.create(makeOrg());
        const tasks = manyTasks(org.id, 'fire');
        await store.tasks.createMany(tasks);
        const asked = [...tasks.map((t) => t.id), 'missing'];
        const got = await store.tasks.getMany(asked);
        assert.deepEqual(got.map((t) => t.id).sort(), tasks.map((t) => t.id).sort());
        assert.deepEqual(
          got.find((t) => t.id === tasks[MANY - 1]?.id),
          tasks[MANY - 1],
        );
        assert.deepEqual(await store.tasks.getMany([]), []);

        const [first, second, third] = tasks as [Task, Task, Task];
        const taken = makeRun(first, { fireKey: String(T0), status: 'running', fireAt: T0 + 5 });
        assert.equal(await store.runs.insert(taken), true);
        const runs = tasks.map((t, i) => makeRun(t, { fireKey: String(T0), fireAt: T0 + i }));
        // Every column of a run the batch writes as the one-row insert does (PostgreSQL: one array per column).
        const full = {
          status: 'running',
          statusReason: 'caught_up',
          startedAt: T0 + 7,
          createdBy: 'alice',
          missed: { count: 3, lastFireAt: T0 - 10 },
        } as const;
        runs[5] = makeRun(tasks[5] as Task, { ...full, fireKey: String(T0), fireAt: T0 + 5 });
        const single = makeRun(tasks[5] as Task, { ...full, fireKey: 'single', fireAt: T0 + 5 });
        assert.equal(await store.runs.insert(single), true);
        assert.equal(await store.runs.insertMany(runs), MANY - 1, 'all but the firing already taken');
        const [batched, alone] = [await store.runs.get(runs[5].id), await store.runs.get(single.id)];
        assert.deepEqual({ ...batched, id: '', fireKey: '' }, { ...alone, id: '', fireKey: '' });
        assert.equal(batched?.missed?.count, 3);
        assert.equal(batched?.startedAt, T0 + 7);
        assert.equal(await store.runs.get(runs[0]?.id as string), null);
        assert.equal((await store.runs.get(runs[MANY - 1]?.id as string))?.status, 'pending');
        await store.runs.insert(makeRun(second, { status: 'finished', fireAt: T0 - 1 }));
        assert.deepEqual(ids(await store.runs.listActiveOf([first.id, second.id, third.id])), [
          runs[1]?.id,
          runs[2]?.id,
          taken.id,
        ]);
        assert.deepEqual(await store.runs.listActiveOf([]), []);

        await store.triggers.setMany(
          tasks.map((t) => ({ taskId: t.id, orgId: org.id, nextFireAt: T0, taskVersion: 1 })),
        );
        await store.triggers.clearMany(tasks.slice(1).map((t) => t.id));
        assert.deepEqual(
          (await store.triggers.claimDue(T0, 1000)).map((t) => t.taskId),
          [first.id],
        );
      },
    );
  });
}
