// Several server nodes on one PostgreSQL database: each node is a store with its own pool.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import type { Jobstate } from '../../src/core/model.ts';
import type { Store, StoreSignals } from '../../src/core/ports/store.ts';
import { postgresMigrations } from '../../src/store/postgres/migrations/index.ts';
import { LISTENER_NAME, openPostgresStore } from '../../src/store/postgres/store.ts';
import { postgresForFile } from '../support/postgres.ts';
import { ids, rejectsWithCode } from './conformance/harness.ts';
import { makeJobstate, makeTask, seedRun, seedTask, T0 } from './fixtures.ts';

const postgres = postgresForFile();
const LEASE = 30_000;

/** `count` nodes on one fresh database, migrated by the first unless told otherwise; closed afterwards. */
async function withNodes(count: number, body: (nodes: Store[], url: string) => Promise<void>, migrate = true) {
  const url = await postgres.database();
  const nodes = await Promise.all(Array.from({ length: count }, () => openPostgresStore({ url, poolSize: 4 })));
  try {
    if (migrate) await nodes[0]?.migrate();
    await body(nodes, url);
  } finally {
    await Promise.all(nodes.map((node) => node.close()));
  }
}

/** A promise each of `n` parties awaits; it resolves once all of them arrived. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    arrived += 1;
    if (arrived === n) open();
    return opened;
  };
}

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

describe('postgres: several nodes on one database', () => {
  test('three nodes claiming concurrently share 300 jobstates, each claimed exactly once', () =>
    withNodes(3, async (nodes) => {
      const [first] = nodes as [Store];
      const run = await seedRun(first, { status: 'running' });
      const all = Array.from({ length: 300 }, (_, i) => makeJobstate(run, { status: 'prepared', dueAt: T0 + i }));
      await first.jobstates.insertMany(all);
      const claimed = await Promise.all(
        nodes.map(async (node, n) => {
          const mine: string[] = [];
          for (;;) {
            const batch = await node.jobstates.claimServer(`node-${n}`, T0 + 1000, T0 + LEASE, 7);
            if (batch.length === 0) return mine;
            mine.push(...ids(batch));
          }
        }),
      );
      const flat = claimed.flat();
      assert.equal(new Set(flat).size, flat.length, 'a jobstate was claimed twice');
      assert.deepEqual([...flat].sort(), ids(all).sort());
      for (const [n, mine] of claimed.entries()) {
        assert.ok(mine.length > 0, `node-${n} claimed nothing`);
        const owners = await Promise.all(mine.map((id) => first.jobstates.get(id)));
        assert.ok(owners.every((js) => js?.leaseOwner === `node-${n}` && js.status === 'running'));
      }
    }));

  // Without SKIP LOCKED these two would wait on each other: the timeout turns that into a failure.
  test('a claim skips the rows another node’s open claim holds instead of waiting for it', { timeout: 15_000 }, () =>
    withNodes(2, async ([a, b]) => {
      const [nodeA, nodeB] = [a as Store, b as Store];
      const run = await seedRun(nodeA, { status: 'running' });
      const all = Array.from({ length: 6 }, (_, i) => makeJobstate(run, { status: 'prepared', dueAt: T0 + i }));
      await nodeA.jobstates.insertMany(all);
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let claimedByA: string[] = [];
      const transactionA = nodeA.transaction(async (tx) => {
        claimedByA = ids(await tx.jobstates.claimServer('node-a', T0, T0 + LEASE, 3));
        await held;
      });
      while (claimedByA.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const claimedByB = ids(await nodeB.jobstates.claimServer('node-b', T0, T0 + LEASE, 10));
      release();
      await transactionA;
      assert.deepEqual(claimedByA, ids(all.slice(0, 3)));
      assert.deepEqual(claimedByB, ids(all.slice(3)));
    }),
  );

  test('three nodes claiming for the same agents at once: each agent jobstate claimed exactly once', () =>
    withNodes(3, async (nodes) => {
      const [first] = nodes as [Store];
      const run = await seedRun(first, { status: 'running' });
      const agents = Array.from({ length: 20 }, (_, i) => `agent-${i}`);
      const all = agents.flatMap((agentId) =>
        Array.from({ length: 10 }, (_, i) => makeJobstate(run, { status: 'prepared', agentId, preparedAt: T0 + i })),
      );
      await first.jobstates.insertMany(all);
      const requests = agents.map((agentId) => ({ agentId, capacity: 3, skip: [] }));
      const claimed = await Promise.all(
        nodes.map(async (node) => {
          const mine: Jobstate[] = [];
          // A row another node holds is skipped, not replaced: rounds go on until all are taken.
          for (let round = 0; round < 50; round++) {
            mine.push(...(await node.jobstates.claimForAgents(requests, T0 + 1000)).flat());
          }
          return mine;
        }),
      );
      const flat = claimed.flat();
      assert.equal(new Set(ids(flat)).size, flat.length, 'a jobstate was claimed twice');
      assert.deepEqual(ids(flat).sort(), ids(all).sort());
    }));

  // Without SKIP LOCKED the second would wait for the first: the timeout turns that into a failure.
  test('a batch of agent claims passes over the rows another node’s open batch holds', { timeout: 15_000 }, () =>
    withNodes(2, async ([a, b]) => {
      const [nodeA, nodeB] = [a as Store, b as Store];
      const run = await seedRun(nodeA, { status: 'running' });
      const all = Array.from({ length: 4 }, (_, i) =>
        makeJobstate(run, { status: 'prepared', agentId: 'agent-1', preparedAt: T0 + i }),
      );
      await nodeA.jobstates.insertMany(all);
      const request = [{ agentId: 'agent-1', capacity: 2, skip: [] }];
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let claimedByA: string[] = [];
      const transactionA = nodeA.transaction(async (tx) => {
        claimedByA = ids((await tx.jobstates.claimForAgents(request, T0 + 10))[0] ?? []);
        await held;
      });
      while (claimedByA.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      // A's two come first: B passes over them without waiting and takes the agent's next two.
      const claimedByB = ids((await nodeB.jobstates.claimForAgents(request, T0 + 10))[0] ?? []);
      release();
      await transactionA;
      assert.deepEqual(claimedByA, ids(all.slice(0, 2)));
      assert.deepEqual(claimedByB, ids(all.slice(2)));
      assert.deepEqual(ids((await nodeB.jobstates.claimForAgents(request, T0 + 10))[0] ?? []), []);
    }),
  );

  // Each transaction ends one of the run's last two jobstates, then asks whether the run is
  // done. Without the run's row lock both would read the other's jobstate still running.
  test('two nodes ending a run’s last two jobstates at once: the run completes exactly once', () =>
    withNodes(2, async (nodes) => {
      for (let round = 0; round < 10; round++) {
        const run = await seedRun(nodes[0] as Store, { status: 'running' });
        const pair = [makeJobstate(run, { status: 'running' }), makeJobstate(run, { status: 'running' })];
        await nodes[0]?.jobstates.insertMany(pair);
        const bothUpdated = barrier(2);
        const completed = await Promise.all(
          nodes.map((node, n) =>
            node.transaction(async (tx) => {
              await tx.jobstates.update(pair[n]?.id as string, { status: 'finished', updatedAt: T0 + 1 });
              await bothUpdated();
              return tx.runs.completeIfDone(run.id, T0 + 1);
            }),
          ),
        );
        assert.equal(completed.filter((r) => r !== null).length, 1, `round ${round}: completed by exactly one`);
        assert.equal((await nodes[1]?.runs.get(run.id))?.status, 'finished');
      }
    }));

  // As above, one side a batch (group-commit.ts) that holds the run before it writes its
  // jobstate's end: the other's completeIfDone waits for the batch's commit and sees its end.
  test('a batch holding the run and a node ending the run’s other last jobstate: the run completes exactly once', () =>
    withNodes(2, async ([a, b]) => {
      const [batchNode, other] = [a as Store, b as Store];
      for (let round = 0; round < 10; round++) {
        const run = await seedRun(batchNode, { status: 'running' });
        const [mine, theirs] = [makeJobstate(run, { status: 'running' }), makeJobstate(run, { status: 'running' })];
        await batchNode.jobstates.insertMany([mine, theirs]);
        const held = barrier(2);
        const theirsUpdated = barrier(2);
        const completed = await Promise.all([
          batchNode.transaction(async (tx) => {
            await tx.runs.holdForCompletion([run.id]);
            await held();
            await theirsUpdated();
            await tx.jobstates.update(mine.id, { status: 'finished', updatedAt: T0 + 1 });
            return tx.runs.completeIfDone(run.id, T0 + 1);
          }),
          other.transaction(async (tx) => {
            await held();
            await tx.jobstates.update(theirs.id, { status: 'finished', updatedAt: T0 + 1 });
            void theirsUpdated();
            return tx.runs.completeIfDone(run.id, T0 + 1);
          }),
        ]);
        assert.equal(completed.filter((r) => r !== null).length, 1, `round ${round}: completed by exactly one`);
        assert.equal((await other.runs.get(run.id))?.status, 'finished');
      }
    }));

  // Without the (org, module) lock both would count 0 busy and both prepare a serial job.
  test('two nodes checking one serial module take turns: the second counts what the first prepared', () =>
    withNodes(2, async ([a, b]) => {
      const [nodeA, nodeB] = [a as Store, b as Store];
      const run = await seedRun(nodeA, { status: 'running' });
      const [first, second] = [makeJobstate(run, { module: 'serial' }), makeJobstate(run, { module: 'serial' })];
      await nodeA.jobstates.insertMany([first, second]);
      let checkedByA = () => {};
      const aChecked = new Promise<void>((resolve) => {
        checkedByA = resolve;
      });
      const transactionA = nodeA.transaction(async (tx) => {
        const busy = await tx.jobstates.countBusy(run.orgId, 'serial');
        checkedByA();
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.jobstates.update(first.id, { status: 'prepared', updatedAt: T0 + 1 });
        return busy;
      });
      await aChecked;
      const busyForB = await nodeB.transaction((tx) => tx.jobstates.countBusy(run.orgId, 'serial'));
      assert.equal(await transactionA, 0);
      assert.equal(busyForB, 1, 'B waited for A and saw its prepared job');
      assert.equal(await nodeB.jobstates.countBusy(run.orgId, 'other'), 0, 'another module is not held');
    }));

  // A job parked behind a previous one that ends on another node at that moment: the
  // share-locked read sees the end (else the park would outlive the wake that went by).
  test('getShared in a transaction waits for another transaction ending the row and sees its end', () =>
    withNodes(2, async ([a, b]) => {
      const [nodeA, nodeB] = [a as Store, b as Store];
      const run = await seedRun(nodeA, { status: 'running' });
      const previous = makeJobstate(run, { status: 'running' });
      await nodeA.jobstates.insertMany([previous]);
      let updated = () => {};
      const aUpdated = new Promise<void>((resolve) => {
        updated = resolve;
      });
      const ending = nodeA.transaction(async (tx) => {
        await tx.jobstates.update(previous.id, { status: 'finished', updatedAt: T0 + 1 });
        updated();
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
      await aUpdated;
      assert.equal((await nodeB.jobstates.get(previous.id))?.status, 'running', 'uncommitted: not seen outside');
      const seen = await nodeB.transaction((tx) => tx.jobstates.getShared([previous.id, 'missing']));
      await ending;
      assert.deepEqual(
        seen.map((js) => js.status),
        ['finished'],
      );
    }));

  test('concurrent claimDue transactions on three nodes get disjoint triggers', { timeout: 15_000 }, () =>
    withNodes(3, async (nodes) => {
      const [first] = nodes as [Store];
      const task = await seedTask(first);
      const tasks = [
        task,
        ...(await Promise.all(Array.from({ length: 29 }, () => first.tasks.create(makeTask(task.orgId))))),
      ];
      for (const [i, t] of tasks.entries()) {
        await first.triggers.set({ taskId: t.id, orgId: t.orgId, nextFireAt: T0 + i, taskVersion: 1 });
      }
      // Each node holds its claim until all three have claimed, so none can see another's rows freed.
      const allClaimed = barrier(3);
      const claims = await Promise.all(
        nodes.map((node) =>
          node.transaction(async (tx) => {
            const due = await tx.triggers.claimDue(T0 + 100, 10);
            await allClaimed();
            return due.map((trigger) => trigger.taskId);
          }),
        ),
      );
      const flat = claims.flat();
      assert.equal(flat.length, 30);
      assert.equal(new Set(flat).size, 30, 'a trigger was claimed by two nodes');
      for (const claim of claims) assert.equal(claim.length, 10);
    }),
  );

  test('three nodes migrating a fresh database at once all succeed, and it is migrated once', () =>
    withNodes(
      3,
      async (nodes, url) => {
        await Promise.all(nodes.map((node) => node.migrate()));
        const { rows } = await sql(url, 'select name from kysely_migration order by name');
        assert.deepEqual(
          rows.map((row) => row.name),
          Object.keys(postgresMigrations).sort(),
        );
        for (const node of nodes) await seedTask(node);
        assert.equal((await nodes[2]?.tasks.list({}, { limit: 10 }))?.items.length, 3);
      },
      false,
    ));
});

describe('postgres: signals between nodes', () => {
  /** Publishes until `payload` arrives: LISTEN takes effect asynchronously, after a reconnect too. */
  async function deliver(signals: StoreSignals, channel: string, payload: string, inbox: string[]) {
    const deadline = Date.now() + 10_000;
    while (!inbox.includes(payload)) {
      assert.ok(Date.now() < deadline, `${payload} never arrived on ${channel}`);
      await signals.publish(channel, payload);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  test('a publish on one node reaches the other, and again after its listener was cut off', () =>
    withNodes(2, async ([a, b], url) => {
      const [publisher, listener] = [a?.signals, b?.signals];
      assert.ok(publisher && listener);
      const inbox: string[] = [];
      const other: string[] = [];
      const unsubscribe = listener.subscribe('wake', (payload) => inbox.push(payload));
      listener.subscribe('other', (payload) => other.push(payload));
      await deliver(publisher, 'wake', 'first', inbox);
      await publisher.publish('wake', 'second');
      await deliver(publisher, 'wake', 'third', inbox);
      assert.deepEqual(
        inbox.filter((p) => p !== 'first'),
        ['second', 'third'],
        'after LISTEN, each publish arrives once',
      );
      assert.deepEqual(other, []);

      const { rows } = await sql(
        url,
        `select pg_terminate_backend(pid) as cut from pg_stat_activity
         where application_name = '${LISTENER_NAME}' and datname = current_database()`,
      );
      assert.deepEqual(
        rows.map((row) => row.cut),
        [true],
        'one listener connection (node b’s) was cut',
      );
      await deliver(publisher, 'wake', 'after-reconnect', inbox);
      await deliver(publisher, 'other', 'other-after-reconnect', other);

      unsubscribe();
      await publisher.publish('wake', 'unheard');
      await deliver(publisher, 'other', 'marker', other);
      assert.ok(!inbox.includes('unheard'), 'an unsubscribed handler is not called');
    }));

  test('once ready() resolved, the first publish reaches a new subscriber: none is lost to the LISTEN not being in place', () =>
    withNodes(2, async ([a, b]) => {
      const [publisher, listener] = [a?.signals, b?.signals];
      assert.ok(publisher && listener);
      for (const channel of ['first', 'second']) {
        const inbox: string[] = [];
        listener.subscribe(channel, (payload) => inbox.push(payload));
        await listener.ready();
        await publisher.publish(channel, 'once');
        const deadline = Date.now() + 5_000;
        while (inbox.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        assert.deepEqual(inbox, ['once'], `the one publish on ${channel} arrived`);
      }
      await listener.ready(); // nothing missing: at once
    }));

  test('bad channels and payloads are invalid input', () =>
    withNodes(1, async ([node]) => {
      const signals = node?.signals;
      assert.ok(signals);
      await rejectsWithCode(signals.publish('', 'x'), 'invalid_input', /channel/);
      await rejectsWithCode(signals.publish('c'.repeat(64), 'x'), 'invalid_input', /channel/);
      await rejectsWithCode(signals.publish('wake', 'x'.repeat(8000)), 'invalid_input', /payload/);
      assert.throws(() => signals.subscribe('', () => {}), /channel/);
    }));
});
