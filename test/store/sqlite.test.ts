import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import type { Run } from '../../src/core/model.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { openStore } from '../../src/store/open.ts';
import { sqliteMigrations } from '../../src/store/sqlite/migrations/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { rejectsWithCode } from './conformance/harness.ts';
import { describeStoreConformance } from './conformance.ts';
import { makeJobstate, makeOrg, seedRun, T0 } from './fixtures.ts';
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

/** A new database file migrated up to `migration` (not included), then `seed` on it, as the code of then wrote it. */
async function databaseBefore(migration: string, seed?: (db: Kysely<unknown>) => Promise<void>): Promise<string> {
  const file = join(await tempDir(), 'store.db');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
  try {
    const earlier = Object.fromEntries(Object.entries(sqliteMigrations).filter(([name]) => name < migration));
    const { error } = await new Migrator({ db, provider: { getMigrations: async () => earlier } }).migrateToLatest();
    if (error) throw error;
    await seed?.(db);
  } finally {
    await db.destroy();
  }
  return file;
}

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
      assert.deepEqual(store.capabilities, {
        rowLocks: false,
        skipLocked: false,
        notify: false,
        multiNode: false,
        roundTrips: false,
      });
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

  test('0006_agent_reenrol clears the wake URLs stored before it (never checked against their agent) and keeps the agents', async () => {
    const file = await databaseBefore('0006_agent_reenrol', async (db) => {
      // An agent as the code of then wrote it: its wake URL was never checked.
      await sql`insert into orgs (id, name, created_at) values ('org-old', 'old', 0)`.execute(db);
      await sql`insert into agents (id, org_id, kind, device_id, name, tags, secret_hash, enabled, version, modules,
        wake_url, contact_seconds, created_at)
        values ('agent-old', 'org-old', 'taskwarden', 'pc-old', 'pc-old', '["lab"]', 'hash', 1, null, '[]',
        'http://10.0.0.9:22', 60, 0)`.execute(db);
    });
    const after = await openSqliteStore({ file });
    try {
      await after.migrate();
      const agent = await after.agents.get('agent-old');
      assert.equal(agent?.wakeUrl, null);
      assert.deepEqual(agent?.tags, ['lab']);
      assert.deepEqual(agent?.requestedTags, []);
    } finally {
      await after.close();
    }
  });

  test('0023_jobstate_indexes: a database with jobstates keeps them, and their reads answer as before', async () => {
    const file = await databaseBefore('0023_jobstate_indexes');
    const old = await openSqliteStore({ file });
    const run = await seedRun(old, { status: 'running' });
    const server = makeJobstate(run, { status: 'prepared', dueAt: T0 - 10, preparedAt: T0 - 10 });
    await old.jobstates.insertMany([
      server,
      makeJobstate(run, { status: 'waiting', dueAt: T0 - 5 }),
      makeJobstate(run, { status: 'waiting', jobIndex: 1 }),
      makeJobstate(run, { status: 'prepared', agentId: 'agent-1', dueAt: T0 - 10, preparedAt: T0 - 10 }),
      makeJobstate(run, { status: 'running', agentId: 'agent-2', startedAt: T0 - 3 * 3_600_000 }),
      makeJobstate(run, { status: 'running', leaseOwner: 'node-a', leaseExpiresAt: T0 - 1, startedAt: T0 - 100 }),
      makeJobstate(run, { status: 'finished', agentId: 'agent-1', finishedAt: T0 - 50 }),
    ]);
    const before = await jobstateReads(old, run);
    await old.close();
    const store = await openSqliteStore({ file });
    try {
      await store.migrate();
      assert.deepEqual(await jobstateReads(store, run), before);
      const raw = new Database(file, { readonly: true });
      const indexes = raw.prepare(`select name from sqlite_master where type = 'index' and tbl_name = 'jobstates'`);
      const names = (indexes.all() as { name: string }[]).map((row) => row.name);
      raw.close();
      for (const gone of ['jobstates_status_due', 'jobstates_claim_order', 'jobstates_run'])
        assert.ok(!names.includes(gone));
      for (const made of ['jobstates_waiting_due', 'jobstates_agent_prepared', 'jobstates_run_status_job'])
        assert.ok(names.includes(made));
      assert.deepEqual(
        (await store.jobstates.claimServer('node-b', T0, T0 + 30_000, 10)).map((js) => js.id),
        [server.id],
      );
    } finally {
      await store.close();
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

/** What the engine's loop and a run's pages read of jobstates, at instants that find each kind due. */
async function jobstateReads(store: Store, run: Run) {
  const ids = (list: { id: string }[]) => list.map((js) => js.id);
  const later = T0 + 2 * 86_400_000;
  return {
    due: ids(await store.jobstates.listDueWaiting(T0, 10)),
    wake: await store.jobstates.nextWakeAt(0),
    timedOut: ids(await store.jobstates.listTimedOut(T0, 10)),
    leaseExpired: ids(await store.jobstates.listLeaseExpired(T0, 10)),
    expired: ids(await store.jobstates.listPreparedExpired(later, 10)),
    counts: await store.jobstates.countsByRun(run.id),
    serverCounts: await store.jobstates.countByStatus({ serverOnly: true }),
    ofRun: ids(await store.jobstates.allOfRun(run.id)),
    ofAgent: ids(await store.jobstates.listForAgent('agent-1', { statuses: ['prepared', 'finished'] }, 10)),
    running: (await store.jobstates.listRunningOnAgents(['agent-2'])).get('agent-2'),
  };
}
