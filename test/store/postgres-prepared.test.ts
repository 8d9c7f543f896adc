// Named (prepared) statements on PostgreSQL: the store's repeated statements are parsed and
// planned once per connection, and a schema change under one (another node migrating) or a
// session that lost it (a pooler) costs at most the transaction it ran in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { nameRepeatedStatements, StatementNames } from '../../src/store/postgres/prepared.ts';
import { openPostgresStore } from '../../src/store/postgres/store.ts';
import { postgresForFile } from '../support/postgres.ts';
import { makeOrg } from './fixtures.ts';

const postgres = postgresForFile();

/** Runs `text` on a connection of its own (an admin's, or another node's migration). */
async function elsewhere(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A kysely over a pool of one connection whose repeated statements are named, as the store's. */
async function namingDb(url: string) {
  const names = new StatementNames();
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    onConnect: async (client) => nameRepeatedStatements(client, names),
  });
  const db = new Kysely<{ t: { a: number; b?: number; c?: number } }>({ dialect: new PostgresDialect({ pool }) });
  await sql`create table t (a integer)`.execute(db);
  await sql`insert into t values (1)`.execute(db);
  const prepared = async () =>
    (
      await sql<{
        name: string;
        statement: string;
      }>`select name, statement from pg_prepared_statements order by name`.execute(db)
    ).rows;
  return { db, names, prepared };
}

describe('StatementNames', () => {
  test('a text gets a name from its third use on, the same each time; a forgotten one a new name', () => {
    const names = new StatementNames();
    assert.equal(names.nameOf('select $1'), undefined);
    assert.equal(names.nameOf('select $1'), undefined);
    const name = names.nameOf('select $1');
    assert.match(name ?? '', /^taskwarden_\d+$/);
    assert.equal(names.nameOf('select $1'), name);
    assert.equal(names.nameOf('select $2'), undefined, 'another text counts on its own');
    names.forget('select $1');
    for (let i = 0; i < 2; i++) assert.equal(names.nameOf('select $1'), undefined);
    const renamed = names.nameOf('select $1');
    assert.ok(renamed && renamed !== name, `${renamed} after ${name}`);
  });

  test('once stopped, no text gets a name', () => {
    const names = new StatementNames();
    for (let i = 0; i < 3; i++) names.nameOf('select $1');
    names.stop();
    for (let i = 0; i < 5; i++) assert.equal(names.nameOf('select $1'), undefined);
  });
});

describe('named statements on a real PostgreSQL', () => {
  test('a repeated statement with parameters is prepared once on its connection; BEGIN and COMMIT never', async () => {
    const { db, prepared } = await namingDb(await postgres.database());
    try {
      for (let i = 0; i < 5; i++) {
        await db.transaction().execute((tx) => tx.selectFrom('t').selectAll().where('a', '=', 1).execute());
      }
      const statements = await prepared();
      assert.deepEqual(
        statements.map((row) => row.statement),
        ['select * from "t" where "a" = $1'],
      );
    } finally {
      await db.destroy();
    }
  });

  test('a column added under a prepared select: outside a transaction the call still answers, with it', async () => {
    const url = await postgres.database();
    const { db, prepared } = await namingDb(url);
    try {
      const read = () => db.selectFrom('t').selectAll().where('a', '=', 1).execute();
      for (let i = 0; i < 3; i++) await read();
      assert.equal((await prepared()).length, 1);
      await elsewhere(url, 'alter table t add column b integer default 7');
      assert.deepEqual(await read(), [{ a: 1, b: 7 }]);
      // Named anew from its third use after: the stale statement stays, unused.
      for (let i = 0; i < 3; i++) await read();
      assert.equal((await prepared()).length, 2);
      assert.deepEqual(await read(), [{ a: 1, b: 7 }]);
    } finally {
      await db.destroy();
    }
  });

  test('a column added under a prepared select: in a transaction that one transaction fails, the next succeeds', async () => {
    const url = await postgres.database();
    const { db } = await namingDb(url);
    try {
      const read = () => db.transaction().execute((tx) => tx.selectFrom('t').selectAll().where('a', '=', 1).execute());
      for (let i = 0; i < 3; i++) await read();
      await elsewhere(url, 'alter table t add column c integer default 8');
      await assert.rejects(read(), { code: '0A000' });
      assert.deepEqual(await read(), [{ a: 1, c: 8 }]);
    } finally {
      await db.destroy();
    }
  });

  test('a session without the named statement (a pooler) ends naming, and the call still answers', async () => {
    const { db, names, prepared } = await namingDb(await postgres.database());
    try {
      const read = () => db.selectFrom('t').selectAll().where('a', '=', 1).execute();
      for (let i = 0; i < 3; i++) await read();
      // What a pooler in transaction mode does: the next session knows none of this one's names.
      await sql`deallocate all`.execute(db);
      assert.deepEqual(await read(), [{ a: 1 }]);
      for (let i = 0; i < 5; i++) await read();
      assert.deepEqual(await prepared(), []);
      assert.equal(names.nameOf('select * from "t" where "a" = $1'), undefined);
    } finally {
      await db.destroy();
    }
  });

  test('the store names its repeated statements: a column added under them fails one transaction, not the store', async () => {
    const url = await postgres.database();
    const store = await openPostgresStore({ url, poolSize: 1 });
    try {
      await store.migrate();
      const org = await store.orgs.create(makeOrg());
      const inTx = () => store.transaction((tx) => tx.orgs.get(org.id));
      for (let i = 0; i < 3; i++) assert.equal((await inTx())?.id, org.id);
      await elsewhere(url, 'alter table orgs add column added_by_a_newer_node integer');
      // The statement was named: PostgreSQL refuses it once, in the transaction it ran in.
      await assert.rejects(inTx());
      assert.equal((await inTx())?.id, org.id);
      assert.equal((await store.orgs.get(org.id))?.id, org.id);
    } finally {
      await store.close();
    }
  });
});
