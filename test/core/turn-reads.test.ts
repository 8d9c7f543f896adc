// TurnReads: the keys asked in one turn of the event loop are read in one call, each once;
// every asker gets its row (or null), a failure reaches every asker of its call, and
// nothing is kept for the next turn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { TurnReads } from '../../src/core/turn-reads.ts';

interface Row {
  key: string;
  version: number;
}

function readsOf(rows: Map<string, Row>, maxKeys?: number) {
  const calls: string[][] = [];
  const reads = new TurnReads<Row>(async (keys) => {
    calls.push([...keys]);
    return new Map(keys.flatMap((key) => (rows.has(key) ? [[key, rows.get(key) as Row] as const] : [])));
  }, maxKeys);
  return { reads, calls };
}

test('one turn: one read of every key asked, each key once; a missing key is null', async () => {
  const rows = new Map(['a', 'b', 'c'].map((key) => [key, { key, version: 1 }]));
  const { reads, calls } = readsOf(rows);
  const got = await Promise.all(['a', 'b', 'a', 'nope', 'c'].map((key) => reads.get(key)));
  assert.deepEqual(calls, [['a', 'b', 'nope', 'c']]);
  assert.deepEqual(
    got.map((row) => row?.key ?? null),
    ['a', 'b', 'a', null, 'c'],
  );
  assert.notEqual(got[0], got[2], 'two askers of one key hold their own copies');
});

test('nothing is kept: a key asked again in a later turn is read again, as it is then', async () => {
  const rows = new Map([['a', { key: 'a', version: 1 }]]);
  const { reads, calls } = readsOf(rows);
  assert.equal((await reads.get('a'))?.version, 1);
  rows.set('a', { key: 'a', version: 2 });
  assert.equal((await reads.get('a'))?.version, 2);
  assert.equal(calls.length, 2);
});

test('more keys than one call takes: read in several calls, every asker answered', async () => {
  const rows = new Map(Array.from({ length: 7 }, (_, i) => [`k${i}`, { key: `k${i}`, version: i }]));
  const { reads, calls } = readsOf(rows, 3);
  const got = await Promise.all([...rows.keys()].map((key) => reads.get(key)));
  assert.deepEqual(
    calls.map((keys) => keys.length),
    [3, 3, 1],
  );
  assert.deepEqual(
    got.map((row) => row?.version),
    [0, 1, 2, 3, 4, 5, 6],
  );
});

test('a failed read fails its askers, and the next turn reads afresh', async () => {
  let fail = true;
  const reads = new TurnReads<Row>(async (keys) => {
    if (fail) throw new Error('database is locked');
    return new Map(keys.map((key) => [key, { key, version: 1 }]));
  });
  const failed = await Promise.allSettled([reads.get('a'), reads.get('b')]);
  assert.deepEqual(
    failed.map((result) => result.status),
    ['rejected', 'rejected'],
  );
  fail = false;
  await nextTurn();
  assert.equal((await reads.get('a'))?.version, 1);
});
