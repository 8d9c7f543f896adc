// Log lines: appended per attempt, read with a cursor, pruned by age.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { LogLine } from '../../../src/core/model.ts';
import { makeJobstate, seedRun, T0 } from '../fixtures.ts';
import { type OpenStore, rejectsWithCode, storeTest, walk } from './harness.ts';

const lines = (n: number, from = 0): LogLine[] =>
  Array.from({ length: n }, (_, i) => ({
    ts: T0 + from + i,
    stream: i % 2 ? 'stderr' : 'stdout',
    line: `line ${from + i}`,
  }));

export function logCases(open: OpenStore): void {
  describe('logs', () => {
    storeTest(open, 'lists a jobstate’s lines in order with their attempt, page by page', async (store) => {
      const run = await seedRun(store);
      const js = makeJobstate(run);
      const other = makeJobstate(run);
      await store.jobstates.insertMany([js, other]);
      await store.logs.append(js.id, 1, lines(3));
      await store.logs.append(other.id, 1, lines(2));
      await store.logs.append(js.id, 2, lines(4, 3));
      await store.logs.append(js.id, 2, []);
      const { items, pages } = await walk((p) => store.logs.list(js.id, p), 3);
      assert.deepEqual(items, [
        ...lines(3).map((l) => ({ ...l, attempt: 1 })),
        ...lines(4, 3).map((l) => ({ ...l, attempt: 2 })),
      ]);
      assert.equal(pages, 3);
      assert.equal(await store.logs.count(js.id), 7);
      assert.equal(await store.logs.count(other.id), 2);
      const none = makeJobstate(run);
      assert.deepEqual(
        await store.logs.countMany([js.id, other.id, none.id]),
        new Map([
          [js.id, 7],
          [other.id, 2],
          [none.id, 0],
        ]),
      );
      assert.deepEqual(await store.logs.countMany([]), new Map());
    });

    storeTest(open, 'appendMany appends every part in order, as append would in turn', async (store) => {
      const run = await seedRun(store);
      const [js, other] = [makeJobstate(run), makeJobstate(run)];
      await store.jobstates.insertMany([js, other]);
      await store.logs.appendMany([
        { jobstateId: js.id, attempt: 1, lines: lines(2) },
        { jobstateId: other.id, attempt: 1, lines: lines(600) },
        { jobstateId: js.id, attempt: 2, lines: [] },
        { jobstateId: js.id, attempt: 2, lines: lines(1, 2) },
      ]);
      await store.logs.appendMany([]);
      const page = await store.logs.list(js.id, { limit: 10 });
      assert.deepEqual(page.items, [...lines(2).map((l) => ({ ...l, attempt: 1 })), { ...lines(1, 2)[0], attempt: 2 }]);
      assert.equal(await store.logs.count(other.id), 600);
    });

    storeTest(open, 'a follower holding the last page’s cursor sees only the lines appended since', async (store) => {
      const run = await seedRun(store);
      const js = makeJobstate(run);
      await store.jobstates.insertMany([js]);
      const empty = await store.logs.list(js.id, { limit: 10 });
      assert.deepEqual(empty, { items: [], next: null, cursor: null });
      await store.logs.append(js.id, 1, lines(2));
      const first = await store.logs.list(js.id, { limit: 10 });
      assert.equal(first.items.length, 2);
      assert.equal(first.next, null);
      assert.notEqual(first.cursor, null, 'the last page still says where it ended');
      const after = first.cursor ?? undefined;
      assert.deepEqual(await store.logs.list(js.id, { limit: 10, after }), { items: [], next: null, cursor: after });
      await store.logs.append(js.id, 3, lines(1, 2));
      const more = await store.logs.list(js.id, { limit: 10, after });
      assert.deepEqual(more.items, [{ ...lines(1, 2)[0], attempt: 3 }]);
      assert.notEqual(more.cursor, after);
    });

    storeTest(open, 'a cursor that is not one of ours is invalid input', async (store) => {
      await rejectsWithCode(store.logs.list('any', { limit: 10, after: 'bogus' }), 'invalid_input');
    });

    storeTest(open, 'lines of a jobstate that does not exist are refused', async (store) => {
      await rejectsWithCode(store.logs.append('no-such-jobstate', 1, lines(1)), 'not_found');
    });

    storeTest(open, 'large appends land whole', async (store) => {
      const run = await seedRun(store);
      const js = makeJobstate(run);
      await store.jobstates.insertMany([js]);
      await store.logs.append(js.id, 1, lines(2500));
      assert.equal(await store.logs.count(js.id), 2500);
    });

    storeTest(open, 'deleteBefore removes up to `limit` of the org’s lines older than the cutoff', async (store) => {
      const run = await seedRun(store);
      const js = makeJobstate(run);
      await store.jobstates.insertMany([js]);
      await store.logs.append(js.id, 1, lines(10));
      // Another org's old lines are not the org's to delete.
      const other = makeJobstate(await seedRun(store));
      await store.jobstates.insertMany([other]);
      await store.logs.append(other.id, 1, lines(10));
      assert.equal(await store.logs.deleteBefore(run.orgId, T0 + 6, 4), 4);
      assert.equal(await store.logs.deleteBefore(run.orgId, T0 + 6, 100), 2);
      assert.equal(await store.logs.deleteBefore(run.orgId, T0 + 6, 100), 0);
      assert.equal(await store.logs.count(other.id), 10);
      const { items } = await store.logs.list(js.id, { limit: 100 });
      assert.deepEqual(
        items.map((l) => l.line),
        ['line 6', 'line 7', 'line 8', 'line 9'],
      );
    });
  });
}
