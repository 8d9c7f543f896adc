import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from '../../src/core/ports/store.ts';
import { openStore } from '../../src/store/open.ts';
import { sqliteMigrations } from '../../src/store/sqlite/migrations/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { rejectsWithCode } from './conformance/harness.ts';
import { describeStoreConformance } from './conformance.ts';
import { makeAgent, makeOrg } from './fixtures.ts';
import { checkLegacyCatalog, writeLegacyCatalog } from './legacy-catalog.ts';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'taskwarden-sqlite-'));
  dirs.push(dir);
  return dir;
}

describeStoreConformance('sqlite', async () => openSqliteStore({ file: join(await tempDir(), 'store.db') }));

async function withFileStore(body: (store: Store, file: string) => Promise<void>): Promise<void> {
  const file = join(await tempDir(), 'nested', 'folder', 'store.db');
  const store = await openSqliteStore({ file });
  try {
    await body(store, file);
  } finally {
    await store.close();
  }
}

describe('sqlite store specifics', () => {
  test('creates the file (and its folder) in WAL mode; migrate twice is fine', () =>
    withFileStore(async (store, file) => {
      assert.ok(existsSync(file));
      await store.migrate();
      await store.migrate();
      assert.deepEqual(store.capabilities, { skipLocked: false, notify: false, multiNode: false });
      assert.equal(store.signals ?? store.dbNow, undefined, 'no signals nor database clock');
      const raw = new Database(file, { readonly: true });
      try {
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        raw.close();
      }
    }));

  test('data survives closing and reopening', async () => {
    const file = join(await tempDir(), 'store.db');
    const org = makeOrg();
    const first = await openSqliteStore({ file });
    await first.migrate();
    await first.orgs.create(org);
    await first.close();
    const second = await openSqliteStore({ file });
    try {
      await second.migrate();
      assert.deepEqual(await second.orgs.get(org.id), org);
    } finally {
      await second.close();
    }
  });

  test('0006 clears the wake URLs stored before it (never checked against their agent) and keeps the agents', async () => {
    const file = join(await tempDir(), 'store.db');
    const before = await openSqliteStore({ file });
    await before.migrate();
    const org = await before.orgs.create(makeOrg());
    const agent = await before.agents.create(makeAgent(org.id, { tags: ['lab'], wakeUrl: 'http://10.0.0.9:22' }));
    await before.close();
    const raw = new Database(file);
    try {
      raw.exec("delete from kysely_migration where name = '0006_agent_reenrol'");
      for (const column of ['requested_tags', 'reenrol_until', 'enrolment_token_id']) {
        raw.exec(`alter table agents drop column ${column}`);
      }
    } finally {
      raw.close();
    }
    const after = await openSqliteStore({ file });
    try {
      await after.migrate();
      assert.deepEqual(await after.agents.get(agent.id), { ...agent, wakeUrl: null });
    } finally {
      await after.close();
    }
  });

  test('a transaction waits for the one in flight instead of interleaving with it', () =>
    withFileStore(async (store) => {
      await store.migrate();
      const events: string[] = [];
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = store.transaction(async (tx) => {
        events.push('first begins');
        await tx.orgs.create(makeOrg());
        await gate;
        events.push('first ends');
      });
      const second = store.transaction(async (tx) => {
        events.push('second begins');
        await tx.orgs.list({ limit: 1 });
      });
      const plain = store.orgs.list({ limit: 10 }).then((page) => events.push(`plain sees ${page.items.length}`));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(events, ['first begins']);
      release();
      await Promise.all([first, second, plain]);
      assert.equal(events[1], 'first ends');
      assert.deepEqual(events.slice(2).sort(), ['plain sees 1', 'second begins']);
    }));

  test('0006_catalog_security: a global command stays the admin’s, an org server command is trusted no more', async () => {
    const file = join(await tempDir(), 'legacy.db');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    try {
      await writeLegacyCatalog(db, sqliteMigrations);
    } finally {
      await db.destroy();
    }
    const store = await openSqliteStore({ file });
    try {
      await checkLegacyCatalog(store);
    } finally {
      await store.close();
    }
  });

  test('a path that cannot be a database is reported as unavailable', async () => {
    const dir = await tempDir();
    await rejectsWithCode(openSqliteStore({ file: dir }), 'unavailable', /cannot open SQLite database/);
  });
});

describe('openStore', () => {
  const check = async (url: string, file: string) => {
    const store = await openStore(url);
    try {
      await store.migrate();
      assert.ok(existsSync(file), `${url} should open ${file}`);
    } finally {
      await store.close();
    }
  };

  test('accepts sqlite:/abs, sqlite:///abs, sqlite:relative and plain paths', async () => {
    const dir = await tempDir();
    await check(`sqlite:${join(dir, 'a.db')}`, join(dir, 'a.db'));
    await check(`sqlite://${join(dir, 'b.db')}`, join(dir, 'b.db'));
    await check(`sqlite:${relative(process.cwd(), join(dir, 'c.db'))}`, join(dir, 'c.db'));
    await check(join(dir, 'd.db'), join(dir, 'd.db'));
  });

  test('refuses unknown schemes and empty URLs', async () => {
    await rejectsWithCode(openStore('mysql://localhost/db'), 'invalid_input', /mysql/);
    await rejectsWithCode(openStore(''), 'invalid_input', /store/);
    await rejectsWithCode(openStore('sqlite:'), 'invalid_input', /no database file/);
  });
});
