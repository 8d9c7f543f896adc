// A fresh, migrated store for tests that need one: SQLite in its own temp folder.
// TASKWARDEN_TEST_DB will select another backend once one exists; only SQLite is built now.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/core/ports/store.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';

export interface TestStore {
  store: Store;
  /** Closes the store and deletes its files. */
  cleanup(): Promise<void>;
}

export async function openTestStore(): Promise<TestStore> {
  const backend = process.env.TASKWARDEN_TEST_DB;
  if (backend && backend !== 'sqlite') {
    throw new Error(`TASKWARDEN_TEST_DB=${backend}: only "sqlite" is supported so far`);
  }
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
