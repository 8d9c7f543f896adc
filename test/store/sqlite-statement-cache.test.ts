// The SQLite store's prepared statements (statement-cache.ts): rows read as arrays of values
// and made objects by a function compiled once per statement are the objects better-sqlite3
// makes itself, and a schema change, on this connection or by another process, is seen.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';
import { withStatementCache } from '../../src/store/sqlite/statement-cache.ts';

let dir = '';
let file = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'taskwarden-statements-'));
  file = join(dir, 'store.db');
});
after(() => rm(dir, { recursive: true, force: true }));

function database(): Database.Database {
  const db = new Database(file);
  db.exec(`
    drop table if exists things; drop table if exists owners;
    create table owners (id text primary key, name text);
    create table things (id text primary key, owner_id text, size integer, data blob, note text);
    insert into owners values ('o1', 'ann');
    insert into things values ('t1', 'o1', 3, x'0102', null), ('t2', 'o1', 9007199254740991, null, 'n"\\u2028');`);
  return db;
}

test('rows are the objects better-sqlite3 makes: names, values, nulls, blobs, a join of two ids', () => {
  const db = database();
  const cached = withStatementCache(db);
  for (const sql of [
    'select * from things order by id',
    'select things.*, owners.* from things join owners on owners.id = things.owner_id order by things.id',
    'select id as "we""ird name", size + 1 as "size+1" from things where id in (?, ?) order by id',
    'insert into owners values (?, ?) returning *',
  ]) {
    const params = sql.includes('in (?, ?)') ? ['t1', 't2'] : sql.startsWith('insert') ? ['o2', 'bob'] : [];
    const expected = sql.startsWith('insert') ? [{ id: 'o2', name: 'bob' }] : db.prepare(sql).all(...params);
    const rows = cached.prepare(sql).all(params);
    assert.deepEqual(rows, expected, sql);
    for (const row of rows as object[]) assert.equal(Object.getPrototypeOf(row), Object.prototype);
  }
  db.close();
});

/** A statement prepared before `addColumn` adds owners.email: its rows then carry it. */
function addedColumnSeen(addColumn: (cached: SqliteDatabase) => void): void {
  const db = database();
  const cached = withStatementCache(db);
  const select = 'select * from owners order by id';
  assert.deepEqual(cached.prepare(select).all([]), [{ id: 'o1', name: 'ann' }]);
  addColumn(cached);
  assert.deepEqual(cached.prepare(select).all([]), [{ id: 'o1', name: 'ann', email: 'a@x' }]);
  db.close();
}

test('a column added on this connection is in the rows of a statement prepared before', () => {
  addedColumnSeen((cached) => {
    cached.prepare('alter table owners add column email text').run([]);
    cached.prepare("update owners set email = 'a@x' where id = 'o1'").run([]);
  });
});

test("a column added by another process's connection is in the rows too", () => {
  addedColumnSeen(() => {
    const other = new Database(file);
    other.exec("alter table owners add column email text; update owners set email = 'a@x'");
    other.close();
  });
});
