import { stat } from 'node:fs';
import type Database from 'better-sqlite3';
import { databaseThread, stopDatabaseThread } from './database-thread.ts';

/**
 * WAL checkpoints off the event loop. SQLite checkpoints a WAL inside the commit that leaves
 * it 1,000 pages long: it copies the pages into the database file and syncs both, and the
 * commit returns only then. better-sqlite3 runs on the event loop, so every request waited:
 * under 1,000 agents a commit in twenty took over 5 ms that way, up to 250 ms (1.7 s of a
 * 41 s fleet bench).
 *
 * So once a store writes (its WAL past START_AT_BYTES), its connection checkpoints only
 * past SAFETY_NET_PAGES (should the thread below stop, the WAL stays bounded), and a
 * worker thread with a connection of its own runs PASSIVE checkpoints beside the writes
 * (at SQLite's own threshold, or when the writes rest): PASSIVE never waits for a reader
 * or the writer, and the commits go on appending to the WAL meanwhile. Durability is unchanged: a commit is durable as before (WAL, synchronous
 * NORMAL), a checkpoint syncs as before.
 */

/** The server's own checkpoints, should the thread stop: about 40 MB of WAL. */
export const SAFETY_NET_PAGES = 10_000;
const SQLITE_DEFAULT_PAGES = 1_000;
/** A WAL this long has seen writes worth a thread: about 256 pages. */
export const START_AT_BYTES = 1 << 20;
/** How often the WAL's length is looked at until then (an asynchronous stat). */
const WATCH_EVERY_MS = 1_000;
/**
 * How often the thread reads how far the WAL is ahead of the database file: at the latest
 * every QUIET_MS, sooner as the WAL grows faster, halfway to the threshold at its last
 * pace, never more often than every LOOK_LEAST_MS. A server at rest, or firing a schedule a
 * second, looks once a second: looking every 100 ms, the thread took 0.16–0.20 s of CPU a
 * minute under 100,000 schedules, 0.04–0.05 s at this pace (bench/RESULTS.md); a stream of
 * commits (a fleet) is looked at as often as before.
 */
const LOOK_LEAST_MS = 100;
/** The thread checkpoints once the WAL is this many frames ahead (SQLite's own threshold)… */
export const CHECKPOINT_AT_FRAMES = 1_000;
/** …or, with any frame ahead, once no commit came for this long. */
export const QUIET_MS = 1_000;

/**
 * The thread's code, plain JavaScript (no loader needed, from the sources or from dist/).
 * How far the WAL is ahead is read off the wal-index header in the -shm file, in native
 * byte order (https://www.sqlite.org/walformat.html): mxFrame, the last frame committed,
 * at byte 16; nBackfill, the frames already copied into the database, at byte 96. Reading
 * it is one small read; a checkpoint that finds little to copy still syncs the database
 * file, so a server committing a job a second paid a sync every pass.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { closeSync, openSync, readSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const shm = openSync(workerData.file + '-shm', 'r');
const header = Buffer.alloc(100);
const u32 = require('node:os').endianness() === 'LE' ? (at) => header.readUInt32LE(at) : (at) => header.readUInt32BE(at);
let timer;
let lastFrame = -1;
let lastLookAt = Date.now();
let quietSince = Date.now();
const pass = () => {
  let nextLookMs = workerData.quietMs;
  Atomics.add(workerData.looks, 0, 1);
  try {
    if (readSync(shm, header, 0, header.length, 0) === header.length) {
      const now = Date.now();
      const frame = u32(16);
      const ahead = frame - u32(96);
      if (frame !== lastFrame) {
        // A WAL begun again after a checkpoint counts its frames from the start.
        const grown = lastFrame < 0 ? 0 : frame > lastFrame ? frame - lastFrame : frame;
        const framesPerMs = grown / Math.max(1, now - lastLookAt);
        const halfwayMs = framesPerMs > 0 ? (workerData.checkpointAtFrames - ahead) / 2 / framesPerMs : workerData.quietMs;
        nextLookMs = Math.max(workerData.lookLeastMs, Math.min(workerData.quietMs, halfwayMs));
        lastFrame = frame;
        quietSince = now;
      }
      lastLookAt = now;
      const quiet = now - quietSince >= workerData.quietMs;
      if (ahead >= workerData.checkpointAtFrames || (ahead > 0 && quiet)) {
        db.pragma('wal_checkpoint(PASSIVE)');
        quietSince = Date.now(); // a checkpoint a reader held back is tried again after another quiet spell
      }
    }
  } catch {}
  timer = setTimeout(pass, nextLookMs);
};
parentPort.on('message', () => { clearTimeout(timer); closeSync(shm); db.close(); parentPort.close(); });
pass();
`;

/** The checkpoints of one database file; `stop` ends them (the store's close). */
export interface WalCheckpoints {
  stop(): Promise<void>;
  /** How many times the thread read how far the WAL is ahead (0 before it started): what its pace costs. */
  looks(): number;
}

/**
 * Moves the checkpoints of `database` (a file in WAL mode; any other checkpoints as SQLite
 * does) to a thread once its WAL has grown past START_AT_BYTES: a store that writes little
 * (a CLI, most tests) never starts one.
 */
export function checkpointOffLoop(database: Database.Database): WalCheckpoints {
  if (database.memory || database.pragma('journal_mode', { simple: true }) !== 'wal') {
    return { stop: async () => {}, looks: () => 0 };
  }
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
    looks: () => thread?.looks() ?? 0,
  };
}

/** Starts the thread and leaves the connection only the safety net, until the thread ends. */
function checkpointThread(database: Database.Database): WalCheckpoints {
  const looks = new Int32Array(new SharedArrayBuffer(4));
  const worker = databaseThread(database, THREAD, {
    looks,
    lookLeastMs: LOOK_LEAST_MS,
    checkpointAtFrames: CHECKPOINT_AT_FRAMES,
    quietMs: QUIET_MS,
  });
  database.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  let stopping = false;
  worker.once('exit', () => {
    // A thread that failed or ended leaves the checkpoints to the connection, as SQLite's default.
    if (!stopping && database.open) database.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
  });
  worker.on('error', () => {});
  return {
    async stop() {
      stopping = true;
      await stopDatabaseThread(worker);
    },
    looks: () => Atomics.load(looks, 0),
  };
}
