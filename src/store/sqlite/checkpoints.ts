import { stat } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * WAL checkpoints off the event loop. SQLite checkpoints a WAL inside the commit that leaves
 * it 1,000 pages long: it copies the pages into the database file and syncs both, and the
 * commit returns only then. better-sqlite3 runs on the event loop, so every request waited:
 * under 1,000 agents a commit in twenty took over 5 ms that way, up to 250 ms (1.7 s of a
 * 41 s fleet bench).
 *
 * So once a store writes (its WAL past START_AT_BYTES), its connection checkpoints only
 * past SAFETY_NET_PAGES (should the thread below stop, the WAL stays bounded), and a
 * worker thread with a connection of its own runs PASSIVE checkpoints beside the writes:
 * PASSIVE never waits for a reader or the writer, and the commits go on appending to the
 * WAL meanwhile. Durability is unchanged: a commit is durable as before (WAL, synchronous
 * NORMAL), a checkpoint syncs as before.
 */

/** The server's own checkpoints, should the thread stop: about 40 MB of WAL. */
export const SAFETY_NET_PAGES = 10_000;
const SQLITE_DEFAULT_PAGES = 1_000;
/** A WAL this long has seen writes worth a thread: about 256 pages. */
export const START_AT_BYTES = 1 << 20;
/** How often the WAL's length is looked at until then (an asynchronous stat). */
const WATCH_EVERY_MS = 1_000;
/** Between checkpoints while the WAL grows, and while it does not. */
const BUSY_EVERY_MS = 100;
const IDLE_EVERY_MS = 1_000;

/** The thread's code, plain JavaScript (no loader needed, from the sources or from dist/). */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
let timer;
let seen = 0;
const pass = () => {
  let grew = false;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    grew = row.log !== seen;
    seen = row.log;
  } catch {}
  timer = setTimeout(pass, grew ? workerData.busyEveryMs : workerData.idleEveryMs);
};
parentPort.on('message', () => { clearTimeout(timer); db.close(); parentPort.close(); });
pass();
`;

/** The checkpoints of one database file; `stop` ends them (the store's close). */
export interface WalCheckpoints {
  stop(): Promise<void>;
}

/**
 * Moves the checkpoints of `database` (a file in WAL mode; any other checkpoints as SQLite
 * does) to a thread once its WAL has grown past START_AT_BYTES: a store that writes little
 * (a CLI, most tests) never starts one.
 */
export function checkpointOffLoop(database: Database.Database): WalCheckpoints {
  if (database.memory || database.pragma('journal_mode', { simple: true }) !== 'wal') return { stop: async () => {} };
  let thread: WalCheckpoints | null = null;
  const watch = setInterval(() => {
    stat(`${database.name}-wal`, (error, wal) => {
      if (error || wal.size < START_AT_BYTES || thread || !database.open) return;
      clearInterval(watch);
      thread = checkpointThread(database);
    });
  }, WATCH_EVERY_MS);
  watch.unref();
  return {
    async stop() {
      clearInterval(watch);
      await thread?.stop();
    },
  };
}

/** Starts the thread and leaves the connection only the safety net, until the thread ends. */
function checkpointThread(database: Database.Database): WalCheckpoints {
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: {
      file: database.name,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      busyEveryMs: BUSY_EVERY_MS,
      idleEveryMs: IDLE_EVERY_MS,
    },
  });
  worker.unref();
  database.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      // A thread that failed or ended leaves the checkpoints to the connection, as SQLite's default.
      if (!stopping && database.open) database.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
      resolve();
    }),
  );
  worker.on('error', () => {});
  return {
    async stop() {
      stopping = true;
      worker.ref(); // until it has closed its connection
      worker.postMessage('stop');
      await exited;
    },
  };
}
