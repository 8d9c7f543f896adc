// A fresh, migrated store for tests that need one: SQLite in its own temp folder, or with
// TASKWARDEN_TEST_DB=postgres a fresh database on this test process's throwaway server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/core/ports/store.ts';
import { openPostgresStore } from '../../src/store/postgres/store.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { sharedPostgres } from './postgres.ts';

export interface TestStore {
  store: Store;
  /** Closes the store and deletes its files (or its database). */
  cleanup(): Promise<void>;
}

export async function openTestStore(): Promise<TestStore> {
  const backend = process.env.TASKWARDEN_TEST_DB || 'sqlite';
  if (backend === 'postgres') return openPostgresTestStore();
  if (backend !== 'sqlite') throw new Error(`TASKWARDEN_TEST_DB=${backend}: expected "sqlite" or "postgres"`);
  const dir = await mkdtemp(join(tmpdir(), 'taskwarden-store-'));
  const store = await openSqliteStore({ file: join(dir, 'test.db') });
  await store.migrate();
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgresTestStore(): Promise<TestStore> {
  const server = await sharedPostgres();
  const database = await server.createDatabase({ migrated: true });
  const store = await openPostgresStore({ url: database.url });
  await store.migrate();
  return {
    store,
    async cleanup() {
      await store.close();
      await database.drop();
    },
  };
}
