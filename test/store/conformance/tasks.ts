// Tasks with their triggers, history and ledger.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../../src/core/ids.ts';
import {
  makeAgent,
  makeHistory,
  makeJobstate,
  makeLedger,
  makeOrg,
  makeRun,
  makeTask,
  seedTask,
  T0,
} from '../fixtures.ts';
import { ids, type OpenStore, rejectsWithCode, storeTest, walk } from './harness.ts';

export function taskCases(open: OpenStore): void {
  describe('tasks', () => {
    storeTest(open, 'round-trips every field, JSON ones included', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const task = makeTask(org.id, { enabled: false, activeFrom: '2026-01-01T00:00:00Z' });
      assert.deepEqual(await store.tasks.create(task), task);
      assert.deepEqual(await store.tasks.get(task.id), task);
      assert.deepEqual(await store.tasks.getByName(org.id, task.name), task);
      assert.equal(await store.tasks.getByName(newId(), task.name), null);
      assert.equal(await store.tasks.get('missing'), null);
    });

    storeTest(open, 'task names are unique per org, not across orgs', async (store) => {
      const a = await store.orgs.create(makeOrg());
      const b = await store.orgs.create(makeOrg());
      await store.tasks.create(makeTask(a.id, { name: 'backup' }));
      await rejectsWithCode(
        store.tasks.create(makeTask(a.id, { name: 'backup' })),
        'task_name_taken',
        /backup.*already exists/,
      );
      await store.tasks.create(makeTask(b.id, { name: 'backup' }));
    });

    storeTest(open, 'update is optimistic on the version', async (store) => {
      const task = await seedTask(store);
      const v2 = { ...task, version: 2, description: 'v2', enabled: false, updatedAt: T0 + 1 };
      assert.equal(await store.tasks.update(v2), true);
      assert.deepEqual(await store.tasks.get(task.id), v2);
      const stale = { ...task, version: 2, description: 'lost update' };
      assert.equal(await store.tasks.update(stale), false);
      assert.equal((await store.tasks.get(task.id))?.description, 'v2');
    });

    storeTest(open, 'renaming onto another task’s name is a conflict', async (store) => {
      const task = await seedTask(store);
      await store.tasks.create(makeTask(task.orgId, { name: 'taken' }));
      await rejectsWithCode(store.tasks.update({ ...task, name: 'taken', version: 2 }), 'task_name_taken');
    });

    storeTest(open, 'lists by org and enabled flag, page by page', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      const tasks = [];
      for (let i = 0; i < 5; i++) tasks.push(await store.tasks.create(makeTask(org.id, { enabled: i % 2 === 0 })));
      await store.tasks.create(makeTask(other.id));
      assert.deepEqual(ids((await walk((p) => store.tasks.list({ orgId: org.id }, p), 2)).items), ids(tasks));
      const enabled = await walk((p) => store.tasks.list({ orgId: org.id, enabled: true }, p), 2);
      assert.deepEqual(ids(enabled.items), ids(tasks.filter((t) => t.enabled)));
      const disabled = await store.tasks.list({ enabled: false }, { limit: 10 });
      assert.deepEqual(ids(disabled.items), ids(tasks.filter((t) => !t.enabled)));
      assert.equal((await store.tasks.list({}, { limit: 100 })).items.length, 6);
    });

    storeTest(open, 'delete takes trigger, runs, jobstates and logs along; ledger and history stay', async (store) => {
      const task = await seedTask(store);
      const keep = await store.tasks.create(makeTask(task.orgId));
      for (const t of [task, keep]) {
        const run = makeRun(t);
        await store.runs.insert(run);
        const jobstate = makeJobstate(run);
        await store.jobstates.insertMany([jobstate]);
        await store.logs.append(jobstate.id, 1, [{ ts: T0, stream: 'stdout', line: 'hello' }]);
        await store.triggers.set({ taskId: t.id, orgId: t.orgId, nextFireAt: T0, taskVersion: 1 });
        await store.ledger.record(makeLedger({ taskId: t.id, runId: run.id, jobstateId: jobstate.id }));
        await store.history.add(makeHistory(t));
      }
      const [run] = (await store.runs.list({ taskId: task.id }, { limit: 10 })).items;
      const [jobstate] = await store.jobstates.allOfRun(run?.id ?? '');
      await store.tasks.delete(task.id);

      assert.equal(await store.tasks.get(task.id), null);
      assert.equal(await store.triggers.get(task.id), null);
      assert.deepEqual((await store.runs.list({ taskId: task.id }, { limit: 10 })).items, []);
      assert.equal(await store.jobstates.get(jobstate?.id ?? ''), null);
      assert.equal(await store.logs.count(jobstate?.id ?? ''), 0);
      assert.equal((await store.ledger.listForTask(task.id)).length, 1);
      assert.equal((await store.history.list(task.id, { limit: 10 })).items.length, 1);
      // The other task is untouched.
      assert.notEqual(await store.triggers.get(keep.id), null);
      assert.equal((await store.runs.list({ taskId: keep.id }, { limit: 10 })).items.length, 1);
    });
  });

  describe('ledger', () => {
    storeTest(open, 'list filters by org, task, job, target and status, pages in name order', async (store) => {
      const a = await store.orgs.create(makeOrg());
      const b = await store.orgs.create(makeOrg());
      const zeta = await store.tasks.create(makeTask(a.id, { name: 'zeta' }));
      const alpha = await store.tasks.create(makeTask(a.id, { name: 'alpha' }));
      const other = await store.tasks.create(makeTask(b.id, { name: 'alpha' }));
      const gone = await store.tasks.create(makeTask(a.id, { name: 'gone' }));
      await store.ledger.recordMany([
        makeLedger({ taskId: zeta.id, job: 'install', target: 'agent-1', attempt: 2 }),
        makeLedger({ taskId: alpha.id, job: 'install', target: 'agent-2', status: 'error', reason: 'module_failed' }),
        makeLedger({ taskId: alpha.id, job: 'install', target: 'agent-1' }),
        makeLedger({ taskId: alpha.id, job: 'check', target: 'agent-1', attempt: null }),
        makeLedger({ taskId: other.id, job: 'install', target: 'agent-9' }),
        makeLedger({ taskId: gone.id, job: 'install', target: 'agent-1' }),
      ]);
      await store.tasks.delete(gone.id);
      const keys = (items: { taskName: string; job: string; target: string }[]) =>
        items.map((e) => `${e.taskName}/${e.job}/${e.target}`);

      const all = await store.ledger.list({ orgId: a.id }, { limit: 10 });
      assert.deepEqual(keys(all.items), [
        'alpha/check/agent-1',
        'alpha/install/agent-1',
        'alpha/install/agent-2',
        'zeta/install/agent-1',
      ]);
      assert.equal(all.next, null);
      assert.deepEqual(
        all.items.map((e) => [e.orgId, e.attempt]),
        [
          [a.id, null],
          [a.id, 1],
          [a.id, 1],
          [a.id, 2],
        ],
      );

      const first = await store.ledger.list({ orgId: a.id }, { limit: 3 });
      assert.equal(first.items.length, 3);
      const second = await store.ledger.list({ orgId: a.id }, { limit: 3, after: first.next ?? undefined });
      assert.deepEqual(keys(second.items), ['zeta/install/agent-1']);
      assert.equal(second.next, null);
      assert.deepEqual((await store.ledger.list({ orgId: a.id }, { limit: 3, after: 'not a cursor' })).items, []);

      assert.deepEqual(
        keys((await store.ledger.list({ orgId: a.id, target: 'agent-1', job: 'install' }, { limit: 10 })).items),
        ['alpha/install/agent-1', 'zeta/install/agent-1'],
      );
      assert.deepEqual(keys((await store.ledger.list({ orgId: a.id, status: 'error' }, { limit: 10 })).items), [
        'alpha/install/agent-2',
      ]);
      assert.deepEqual(keys((await store.ledger.list({ taskId: other.id }, { limit: 10 })).items), [
        'alpha/install/agent-9',
      ]);
      assert.equal((await store.ledger.list({}, { limit: 10 })).items.length, 5);

      // An entry names its agent (one query for the page); a target no agent has any more, null.
      const pc = await store.agents.create(makeAgent(a.id, { name: 'pc-7' }));
      await store.ledger.recordMany([makeLedger({ taskId: zeta.id, job: 'install', target: pc.id })]);
      const named = (await store.ledger.list({ taskId: zeta.id }, { limit: 10 })).items;
      assert.deepEqual(
        named.map((e) => [e.target, e.agentName]),
        [
          ['agent-1', null],
          [pc.id, 'pc-7'],
        ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      );
    });
  });

  describe('triggers', () => {
    storeTest(open, 'set inserts or replaces; clear removes', async (store) => {
      const task = await seedTask(store);
      const trigger = { taskId: task.id, orgId: task.orgId, nextFireAt: T0, taskVersion: 1 };
      await store.triggers.set(trigger);
      assert.deepEqual(await store.triggers.get(task.id), trigger);
      await store.triggers.set({ ...trigger, nextFireAt: T0 + 60_000, taskVersion: 2 });
      assert.deepEqual(await store.triggers.get(task.id), { ...trigger, nextFireAt: T0 + 60_000, taskVersion: 2 });
      await store.triggers.clear(task.id);
      assert.equal(await store.triggers.get(task.id), null);
    });

    storeTest(open, 'claimDue returns the due ones, earliest first, up to the limit', async (store) => {
      const times = [T0 + 3000, T0 - 1000, T0, T0 + 1];
      const tasks = [];
      for (const at of times) {
        const task = await seedTask(store);
        tasks.push(task);
        await store.triggers.set({ taskId: task.id, orgId: task.orgId, nextFireAt: at, taskVersion: 1 });
      }
      const due = await store.transaction((tx) => tx.triggers.claimDue(T0, 10));
      assert.deepEqual(
        due.map((t) => t.taskId),
        [tasks[1]?.id, tasks[2]?.id],
      );
      assert.equal((await store.triggers.claimDue(T0 + 5000, 3)).length, 3);
    });

    storeTest(open, 'nextFireAt is the earliest trigger, null without any', async (store) => {
      assert.equal(await store.triggers.nextFireAt(), null);
      for (const at of [T0 + 50, T0 + 10, T0 + 30]) {
        const task = await seedTask(store);
        await store.triggers.set({ taskId: task.id, orgId: task.orgId, nextFireAt: at, taskVersion: 1 });
      }
      assert.equal(await store.triggers.nextFireAt(), T0 + 10);
    });
  });

  describe('history', () => {
    storeTest(open, 'lists a task’s entries oldest first, page by page', async (store) => {
      const task = await seedTask(store);
      const entries = [];
      for (const action of ['create', 'update', 'disable', 'enable', 'delete'] as const) {
        const entry = makeHistory(task, { action, actor: action === 'delete' ? null : 'alice' });
        await store.history.add(entry);
        entries.push(entry);
      }
      await store.history.add(makeHistory({ ...task, id: newId() }));
      const { items, pages } = await walk((p) => store.history.list(task.id, p), 2);
      assert.deepEqual(items, entries);
      assert.equal(pages, 3);
    });
  });

  describe('ledger', () => {
    storeTest(open, 'keeps the latest outcome per (task, job, target)', async (store) => {
      const taskId = newId();
      const first = makeLedger({ taskId, status: 'error', reason: 'timeout', result: null, at: T0 });
      await store.ledger.record(first);
      assert.deepEqual(await store.ledger.get(taskId, 'deploy', 'server'), first);
      const second = makeLedger({ taskId, at: T0 + 10 });
      await store.ledger.record(second);
      await store.ledger.record(makeLedger({ taskId, status: 'error', at: T0 + 5 }));
      assert.deepEqual(await store.ledger.get(taskId, 'deploy', 'server'), second);
      const agent = makeLedger({ taskId, target: 'agent-1' });
      const otherJob = makeLedger({ taskId, job: 'announce' });
      await store.ledger.record(agent);
      await store.ledger.record(otherJob);
      await store.ledger.record(makeLedger());
      assert.deepEqual(await store.ledger.listForTask(taskId), [otherJob, agent, second]);
      assert.equal(await store.ledger.get(taskId, 'deploy', 'agent-2'), null);
    });

    storeTest(open, 'recordMany records as record would in turn, repeated keys included', async (store) => {
      const taskId = newId();
      const stored = makeLedger({ taskId, at: T0 + 50 });
      await store.ledger.record(stored);
      const newer = makeLedger({ taskId, target: 'agent-1', status: 'error', at: T0 + 20 });
      const newest = makeLedger({ taskId, target: 'agent-1', at: T0 + 30 });
      const other = makeLedger({ taskId, job: 'announce', at: T0 });
      await store.ledger.recordMany([newer, makeLedger({ taskId, at: T0 + 40 }), newest, other]);
      await store.ledger.recordMany([makeLedger({ taskId, target: 'agent-1', at: T0 + 25 })]);
      await store.ledger.recordMany([]);
      assert.deepEqual(await store.ledger.get(taskId, 'deploy', 'server'), stored, 'an older entry is ignored');
      assert.deepEqual(await store.ledger.get(taskId, 'deploy', 'agent-1'), newest);
      assert.deepEqual(await store.ledger.get(taskId, 'announce', 'server'), other);
    });
  });
}
