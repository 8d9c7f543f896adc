// WAL checkpoints run on a thread of their own once a store writes (store/sqlite/checkpoints.ts):
// the pages reach the database file although the connection's own threshold is never reached.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import {
  CHECKPOINT_AT_FRAMES,
  checkpointOffLoop,
  QUIET_MS,
  SAFETY_NET_PAGES,
  START_AT_BYTES,
  type WalCheckpoints,
} from '../../src/store/sqlite/checkpoints.ts';

const PAGE = 4096;

async function until(what: string, condition: () => Promise<boolean>, limitMs = 20_000): Promise<void> {
  const giveUpAt = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) assert.fail(`still not: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A WAL database of one table of blobs with its checkpoints off the loop, for `body`; closed and removed after. */
async function withBlobStore(
  body: (store: {
    db: Database.Database;
    file: string;
    write(pages: number): void;
    checkpoints: WalCheckpoints;
  }) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'taskwarden-checkpoints-'));
  const file = join(dir, 'store.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const checkpoints = checkpointOffLoop(db);
  try {
    db.exec('create table blobs (id integer primary key, data blob not null)');
    const insert = db.prepare('insert into blobs (data) values (?)');
    const write = (pages: number) =>
      db.transaction(() => {
        for (let i = 0; i < pages; i++) insert.run(Buffer.alloc(PAGE - 100, i % 256));
      })();
    await body({ db, file, write, checkpoints });
  } finally {
    await checkpoints.stop();
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('a database that writes gets its WAL checkpointed by a thread, below the threshold of its own connection', () =>
  withBlobStore(async ({ db, file, write }) => {
    // 2 MB in pages of data: past START_AT_BYTES, far below SQLite's own checkpoint (1,000 pages).
    write((2 * START_AT_BYTES) / PAGE);
    assert.ok((await stat(file)).size < START_AT_BYTES, 'the pages are in the WAL only');
    await until(
      'the thread started',
      async () => db.pragma('wal_autocheckpoint', { simple: true }) === SAFETY_NET_PAGES,
    );
    // Only a checkpoint copies WAL pages into the file, and this connection made none.
    await until('the pages reached the database file', async () => (await stat(file)).size >= 2 * START_AT_BYTES);
    write(10);
    await until(
      'later writes are checkpointed too',
      async () =>
        (db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[])[0]?.log === 0 ||
        (await stat(file)).size >= 2 * START_AT_BYTES + 10 * PAGE,
    );
  }));

test('a trickle of commits is checkpointed when it rests, a stream of them at SQLite’s threshold', () =>
  withBlobStore(async ({ file, write }) => {
    const size = async () => (await stat(file)).size;
    write((2 * START_AT_BYTES) / PAGE);
    await until('the first pages reached the database file', async () => (await size()) >= 2 * START_AT_BYTES);
    // A commit of one new page every 100 ms: each checkpoint would grow the file; none is due.
    const before = await size();
    const trickleUntil = Date.now() + 3 * QUIET_MS;
    while (Date.now() < trickleUntil) {
      write(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await size(), before, 'no checkpoint while the commits trickle below the threshold');
    await until('the trickle checkpointed once it rested', async () => (await size()) > before);
    // Commits never resting, past the threshold: checkpointed as they go.
    const streamed = await size();
    let grewWhileWriting = false;
    for (let i = 0; i < 4 * (CHECKPOINT_AT_FRAMES / 100) && !grewWhileWriting; i++) {
      write(100);
      await new Promise((resolve) => setTimeout(resolve, 50));
      grewWhileWriting = (await size()) > streamed;
    }
    assert.ok(grewWhileWriting, 'a stream of commits past the threshold is checkpointed without resting');
  }));

test('a thread whose WAL rests looks at it once a second, not ten times', () =>
  withBlobStore(async ({ file, write, checkpoints }) => {
    write((2 * START_AT_BYTES) / PAGE);
    await until('the pages reached the database file', async () => (await stat(file)).size >= 2 * START_AT_BYTES);
    const restMs = 3 * QUIET_MS;
    const before = checkpoints.looks();
    await new Promise((resolve) => setTimeout(resolve, restMs));
    const looks = checkpoints.looks() - before;
    // Before: a look every 100 ms, 30 of them.
    assert.ok(looks >= 1 && looks <= restMs / QUIET_MS + 1, `looks while the WAL rested for ${restMs} ms: ${looks}`);
  }));

test('an in-memory database keeps SQLite’s own checkpoints: no thread', async () => {
  const db = new Database(':memory:');
  const checkpoints = checkpointOffLoop(db);
  assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
  await checkpoints.stop();
  db.close();
});
