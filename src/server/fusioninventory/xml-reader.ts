/**
 * Reads FusionInventory messages (parseAgentRequest) on a worker thread, so that a big or
 * hostile one does not hold up the event loop: parsing costs about 0.2 s of CPU per MiB,
 * and a message may be 8 MiB. One worker, reused, reads one message at a time (the others
 * wait their turn); a message not read within the time limit has its worker terminated
 * (the next message gets a new one) and is refused with 413.
 */
import { Worker } from 'node:worker_threads';
import { type ErrorCode, TaskwardenError } from '../../core/errors.ts';
import type { AgentRequest } from '../../modules/fusioninventory/xml.ts';

export interface XmlQuestion {
  id: number;
  text: string;
}

export type XmlAnswer =
  | { id: number; request: AgentRequest }
  | { id: number; error: { code: ErrorCode; message: string; details?: unknown } };

/** Well above what an 8 MiB inventory takes: 1.3 s on a quiet box, 5 to 15 s on a 2-core one under heavy load. */
export const DEFAULT_READ_LIMIT_MS = 30_000;
/** The heap a worker may grow to: an 8 MiB message builds a few hundred MB at most. */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 1024 };

/**
 * From the sources (tsx: tests, a checkout without dist/) the worker is the TypeScript file
 * beside this one; in the bundled dist/ this code sits in a chunk one folder below dist/
 * (dist/chunks/), and the worker is an entry point of its own (scripts/build-src.mjs).
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_FILE = FROM_SOURCE
  ? new URL('./xml-worker.ts', import.meta.url)
  : new URL('../server/fusioninventory/xml-worker.js', import.meta.url);

/** A started worker, and when it has loaded (starting is not counted in a message's time). */
interface ReaderThread {
  worker: Worker;
  ready: Promise<void>;
}

export class XmlReader {
  private thread: ReaderThread | null = null;
  private turn: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  /** `limitMs`: the most one message may take to read, once the worker is ready. */
  constructor(private readonly limitMs = DEFAULT_READ_LIMIT_MS) {}

  /** The message's request, or the error that refuses it (400 malformed, 413 too many elements or too slow). */
  read(text: string): Promise<AgentRequest> {
    const reading = this.turn.then(() => this.readNow(text));
    this.turn = reading.catch(() => {});
    return reading;
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = null;
    await thread?.worker.terminate();
  }

  /** The worker keeps the process up while it reads a message, not while it waits for one. */
  private async readNow(text: string): Promise<AgentRequest> {
    const thread = this.started();
    thread.worker.ref();
    try {
      await thread.ready;
      return await this.ask(thread, text);
    } finally {
      thread.worker.unref();
    }
  }

  private ask({ worker }: ReaderThread, text: string): Promise<AgentRequest> {
    const id = ++this.nextId;
    return new Promise<AgentRequest>((resolve, reject) => {
      const settle = (end: () => void) => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        end();
      };
      const lost = (code: ErrorCode, why: string) => {
        this.forget(worker);
        settle(() => reject(new TaskwardenError(code, why)));
      };
      const onMessage = (answer: XmlAnswer) => {
        if (answer.id !== id) return;
        if ('request' in answer) settle(() => resolve(answer.request));
        else settle(() => reject(new TaskwardenError(answer.error.code, answer.error.message, answer.error.details)));
      };
      // A message that makes the worker run out of memory is too big; any other end is ours.
      const onError = (err: Error & { code?: string }) =>
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? lost('payload_too_large', 'body: the message takes too much memory to read')
          : lost('internal', `the FusionInventory message reader failed: ${err.message}`);
      const onExit = () => lost('internal', 'the FusionInventory message reader stopped');
      const timer = setTimeout(
        () => lost('payload_too_large', `body: the message was not read within ${this.limitMs / 1000} s`),
        this.limitMs,
      );
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage({ id, text } satisfies XmlQuestion);
    });
  }

  /** The worker, started on the first message (most servers never get one). */
  private started(): ReaderThread {
    if (this.thread) return this.thread;
    const worker = FROM_SOURCE
      ? new Worker(TSX_BOOT, { eval: true, workerData: WORKER_FILE.href, resourceLimits: WORKER_LIMITS })
      : new Worker(WORKER_FILE, { resourceLimits: WORKER_LIMITS });
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('exit', () => reject(new TaskwardenError('internal', 'the FusionInventory message reader stopped')));
      worker.once('error', (err) =>
        reject(new TaskwardenError('internal', `the FusionInventory message reader failed to start: ${err.message}`)),
      );
    });
    const thread = { worker, ready };
    // A worker that could not start is dropped: the next message tries a new one.
    ready.catch(() => this.forget(worker));
    worker.unref();
    this.thread = thread;
    return thread;
  }

  /** Ends a worker that failed or ran out of time: the next message gets a new one. */
  private forget(worker: Worker): void {
    if (this.thread?.worker === worker) this.thread = null;
    void worker.terminate();
  }
}

/**
 * From the sources, the worker loads tsx itself: a worker gets neither a loader registered
 * in code (bin/taskwarden.js runs the sources through tsx's register()) nor, on Node 20,
 * one given by `node --import tsx`.
 */
const TSX_BOOT = `(async () => {
  const { workerData } = await import('node:worker_threads');
  const { register } = await import(${JSON.stringify(FROM_SOURCE ? import.meta.resolve('tsx/esm/api') : '')});
  register();
  await import(workerData);
})();`;
