// Bulk writes of a task load (POST /api/v1/tasks:batch): tasks, history entries and
// triggers by the hundred, in multi-row statements, all or none.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { makeHistory, makeOrg, makeTask, T0 } from '../fixtures.ts';
import { type OpenStore, rejectsWithCode, storeTest } from './harness.ts';

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
  });
}
