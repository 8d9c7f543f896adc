import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * A worker thread running `code` with a connection of its own to `database`'s file (the
 * checkpoints' thread, the reader thread). The code is plain JavaScript, evaluated, so it
 * runs from the sources and from dist/ alike; it finds the file and the driver's path in
 * `workerData` (beside `data`), and closes its connection on the message 'stop'. Unref'd:
 * an idle thread keeps no process alive.
 */
export function databaseThread(database: Database.Database, code: string, data: object = {}): Worker {
  const worker = new Worker(code, {
    eval: true,
    workerData: { ...data, file: database.name, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  worker.unref();
  return worker;
}

/** Asks the thread to close its connection, and waits for it to end (the process stays up meanwhile). */
export async function stopDatabaseThread(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.ref();
  worker.postMessage('stop');
  await exited;
}
