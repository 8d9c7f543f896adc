import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from '../../src/core/ports/store.ts';
import { openStore } from '../../src/store/open.ts';
import { postgresMigrations } from '../../src/store/postgres/migrations/index.ts';
import { openPostgresStore } from '../../src/store/postgres/store.ts';
import { postgresForFile } from '../support/postgres.ts';
import { rejectsWithCode } from './conformance/harness.ts';
import { describeStoreConformance } from './conformance.ts';
import { makeJobstate, makeOrg, seedRun } from './fixtures.ts';
import { checkLegacyCatalog, writeLegacyCatalog } from './legacy-catalog.ts';

const postgres = postgresForFile();

// Each test's database is a copy of one migrated once: the suite's migrate() then finds nothing to do.
describeStoreConformance('postgres', async () =>
  openPostgresStore({ url: await postgres.database({ migrated: true }) }),
);

async function withStore(body: (store: Store, url: string) => Promise<void>): Promise<void> {
  const url = await postgres.database();
  const store = await openPostgresStore({ url });
  try {
    await store.migrate();
    await body(store, url);
  } finally {
    await store.close();
  }
}

/** One statement on a plain pg connection of its own (global type parsers); the first value. */
async function adminQuery(url: string, text: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query({ text, rowMode: 'array' })).rows[0]?.[0];
  } finally {
    await client.end();
  }
}

describe('postgres store specifics', () => {
  test('openStore selects PostgreSQL for postgres:// and postgresql:// URLs', async () => {
    const url = await postgres.database();
    for (const scheme of ['postgres:', 'postgresql:']) {
      const store = await openStore(url.replace(/^postgres:/, scheme));
      try {
        await store.migrate();
        assert.deepEqual(store.capabilities, {
          rowLocks: true,
          skipLocked: true,
          notify: true,
          multiNode: true,
          roundTrips: true,
        });
        assert.equal(typeof store.signals?.publish, 'function');
        await store.orgs.create(makeOrg());
      } finally {
        await store.close();
      }
    }
  });

  test('an unreachable server is unavailable, without the password in the message', async () => {
    const server = new URL(postgres.server().url);
    server.port = String(Number(server.port) === 1 ? 2 : 1);
    server.password = 's3cret';
    await assert.rejects(openPostgresStore({ url: server.href }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'unavailable');
      assert.match(error.message, /cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/postgres/);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
  });

  test('bad options are invalid input naming the field', async () => {
    await rejectsWithCode(openPostgresStore({ url: 'mysql://localhost/db' }), 'invalid_input', /url/);
    await rejectsWithCode(openPostgresStore({ url: 'postgres://[' }), 'invalid_input', /url/);
    const url = postgres.server().url;
    await rejectsWithCode(openPostgresStore({ url, poolSize: 0 }), 'invalid_input', /poolSize/);
    await rejectsWithCode(openPostgresStore({ url, poolSize: 2.5 }), 'invalid_input', /poolSize/);
  });

  test('bigint columns come back as exact numbers beyond 2^31 and 2^32', () =>
    withStore(async (store) => {
      const run = await seedRun(store, { status: 'running', fireAt: 2 ** 41 + 3, startAt: 2 ** 41 + 3 });
      assert.equal((await store.runs.get(run.id))?.fireAt, 2 ** 41 + 3);
      const far = Number.MAX_SAFE_INTEGER - 1000;
      const js = makeJobstate(run, {
        status: 'running',
        agentId: 'agent-1',
        startedAt: 2 ** 45,
        timeoutSeconds: 2 ** 31 + 7,
        dueAt: far,
      });
      await store.jobstates.insertMany([js]);
      const stored = await store.jobstates.get(js.id);
      assert.equal(stored?.dueAt, far);
      assert.equal(stored?.timeoutSeconds, 2 ** 31 + 7);
      // started_at + timeout_seconds * 1000 is computed in SQL: int4 arithmetic would overflow here.
      const end = 2 ** 45 + (2 ** 31 + 7) * 1000;
      assert.deepEqual(await store.jobstates.listTimedOut(end - 1, 10), []);
      assert.equal((await store.jobstates.listTimedOut(end, 10))[0]?.id, js.id);
      await store.triggers.set({ taskId: run.taskId, orgId: run.orgId, nextFireAt: far, taskVersion: 2 ** 33 });
      assert.deepEqual(await store.triggers.get(run.taskId), {
        taskId: run.taskId,
        orgId: run.orgId,
        nextFireAt: far,
        taskVersion: 2 ** 33,
      });
      assert.equal(await store.triggers.nextFireAt(), far);
      assert.equal(await store.jobstates.countBusy(run.orgId, js.module), 1);
    }));

  test('the int8-as-number parser is the store’s own, not set globally for pg', () =>
    withStore(async (_store, url) => {
      assert.equal(await adminQuery(url, 'select 9007199254740993::bigint'), '9007199254740993');
    }));

  test('a connection cut inside a transaction fails that transaction only', () =>
    withStore(async (store, url) => {
      const org = makeOrg();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.orgs.create(org);
          await adminQuery(
            url,
            `select pg_terminate_backend(pid) from pg_stat_activity
             where datname = current_database() and state = 'idle in transaction'`,
          );
          await new Promise((resolve) => setTimeout(resolve, 50));
          await tx.orgs.list({ limit: 1 });
        }),
      );
      assert.equal(await store.orgs.get(org.id), null);
      await store.orgs.create(org);
      assert.deepEqual(await store.orgs.get(org.id), org);
    }));

  test('a new connection has its settings before its first query, and no query waits behind them', () =>
    withStore(async (store) => {
      // pg 8 warns once per process (pg 9 refuses) when a query is sent while another is
      // queued on the connection: here each query sent while another runs or waits is counted.
      const query = pg.Client.prototype.query;
      let queuedBehind = 0;
      // pg's own accessor: its `activeQuery` property prints a deprecation warning.
      type Queues = { _queryQueue?: unknown[]; _getActiveQuery: () => unknown };
      pg.Client.prototype.query = function (this: pg.Client & Queues, ...args: unknown[]) {
        if ((this._queryQueue?.length ?? 0) > 0 || this._getActiveQuery()) queuedBehind++;
        return (query as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof query;
      try {
        // Reads at once: the pool opens new connections, each handed out after its SETs.
        await Promise.all(Array.from({ length: 8 }, () => store.orgs.list({ limit: 1 })));
      } finally {
        pg.Client.prototype.query = query;
      }
      assert.equal(queuedBehind, 0);
    }));

  test('dbNow is the database clock in epoch ms, and it moves', () =>
    withStore(async (store) => {
      assert.ok(store.dbNow);
      const before = Date.now();
      const first = await store.dbNow();
      assert.ok(Number.isInteger(first));
      assert.ok(Math.abs(first - before) < 5_000, `database clock ${first} vs ${before}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.ok((await store.dbNow()) > first);
    }));

  test('0006_catalog_security: a global command stays the admin’s, an org server command is trusted no more', async () => {
    const url = await postgres.database();
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }) });
    try {
      await writeLegacyCatalog(db, postgresMigrations);
    } finally {
      await db.destroy();
    }
    const store = await openPostgresStore({ url });
    try {
      await checkLegacyCatalog(store);
    } finally {
      await store.close();
    }
  });
});
