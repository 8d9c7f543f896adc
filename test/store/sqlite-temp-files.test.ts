// The SQLite store writes no temporary file for a batch of fenced jobstate updates: SQLite
// spills a statement journal past 64 KiB to a file of its temporary folder (created,
// written, deleted at each batch: a fifth of the fleet server's page writes), unless the
// connection keeps temporary storage in memory. The folder is SQLITE_TMPDIR, read when
// this process opens its first database: set here before any is.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { makeJobstate, seedRun, T0 } from './fixtures.ts';

const temporary = mkdtempSync(join(tmpdir(), 'taskwarden-sqlite-tmp-'));
process.env['SQLITE_TMPDIR'] = temporary;
const dir = mkdtempSync(join(tmpdir(), 'taskwarden-store-'));
after(() => {
  rmSync(temporary, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

test('a batch of fenced jobstate ends in a transaction writes no temporary file', async () => {
  const store = await openSqliteStore({ file: join(dir, 'store.db') });
  try {
    await store.migrate();
    const run = await seedRun(store);
    const owner = 'node-a/claim';
    // Rows spread over many pages (a jobstate's params take a few hundred bytes), as a fleet's are.
    const params = { command: 'x'.repeat(600) };
    const jobstates = Array.from({ length: 600 }, (_, i) =>
      makeJobstate(run, { id: `js-${String(i).padStart(4, '0')}`, status: 'running', leaseOwner: owner, params }),
    );
    await store.jobstates.insertMany(jobstates);
    const patch = { status: 'finished' as const, finishedAt: T0, leaseOwner: null, updatedAt: T0 };
    const rows = jobstates
      .filter((_, i) => i % 12 === 0)
      .map((js) => ({ id: js.id, patch, attempt: js.attempt, leaseOwner: owner }));

    const created: string[] = [];
    const watcher = watch(temporary, (_event, name) => created.push(String(name)));
    try {
      const changed = await store.transaction((tx) => tx.jobstates.updateOwned(rows, ['running']));
      assert.equal(changed, rows.length);
      await sleep(200); // the folder's events arrive on the event loop
    } finally {
      watcher.close();
    }
    assert.deepEqual(created, []);
  } finally {
    await store.close();
  }
});
