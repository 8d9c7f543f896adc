import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { WholeTableRead } from '../sql/context.ts';
import { databaseThread, stopDatabaseThread } from './database-thread.ts';

export interface ReaderThread {
  read: WholeTableRead;
  stop(): Promise<void>;
}

/**
 * The thread's code (database-thread.ts): a connection of its own that only reads
 * (query_only), its statements prepared once each.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('query_only = ON');
db.pragma('busy_timeout = 1000');
const statements = new Map();
parentPort.on('message', (message) => {
  if (message === 'stop') { db.close(); parentPort.close(); return; }
  const { id, sql, parameters } = message;
  try {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    parentPort.postMessage({ id, rows: statement.all(parameters) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

interface Pending {
  resolve(rows: unknown[]): void;
  reject(error: Error): void;
}

/**
 * Reads that walk whole tables (the metrics' counts by status, every row of jobstates and
 * runs) on a connection of their own in a worker thread. better-sqlite3 answers on the
 * event loop, so such a read held every request, timer and signal handler of the node for
 * as long as it ran: 43 ms at 200,000 jobstates, and the history a 90-day retention keeps
 * of a few thousand agents is ten times that, at every scrape of /metrics. The thread
 * starts at the first read; with an in-memory database (no other connection can see it),
 * or once the thread failed, the read runs on the store's connection as before. The thread's
 * connection sees what is committed (WAL): a count never waits for the writer, nor it for
 * the count.
 */
export function readerThread(database: Database.Database): ReaderThread {
  let worker: Worker | null = null;
  let failed = database.memory;
  let nextId = 0;
  const pending = new Map<number, Pending>();
  const fail = (error: Error) => {
    failed = true;
    worker = null;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  const start = (): Worker => {
    const thread = databaseThread(database, THREAD);
    thread.on('message', ({ id, rows, error }: { id: number; rows?: unknown[]; error?: string }) => {
      const waiting = pending.get(id);
      pending.delete(id);
      if (pending.size === 0) thread.unref();
      if (error === undefined) waiting?.resolve(rows ?? []);
      else waiting?.reject(new Error(error));
    });
    thread.on('error', fail);
    thread.on('exit', () => fail(new Error('the SQLite reader thread ended')));
    return thread;
  };
  return {
    read(query) {
      if (failed || !database.open) return query.execute();
      worker ??= start();
      const thread = worker;
      const id = nextId++;
      const { sql, parameters } = query.compile();
      // Referenced while a read waits: a process must not end with a read unanswered.
      thread.ref();
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as Pending['resolve'], reject });
        thread.postMessage({ id, sql, parameters });
      });
    },
    async stop() {
      const thread = worker;
      if (!thread) return;
      failed = true;
      await stopDatabaseThread(thread);
    },
  };
}
