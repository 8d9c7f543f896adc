import type pg from 'pg';
import { ValidationError } from '../../core/errors.ts';

/** PostgreSQL truncates longer identifiers (NAMEDATALEN - 1), and pg_notify refuses them. */
const MAX_CHANNEL_BYTES = 63;
/** NOTIFY payloads must be shorter than 8000 bytes. */
const MAX_PAYLOAD_BYTES = 7999;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

export interface PgNotifierOptions {
  /** A new, unconnected client for the LISTEN connection (called again after every drop). */
  createClient: () => pg.Client;
  /** Runs one statement on any pooled connection: NOTIFY needs no dedicated one. */
  query: (text: string, values: unknown[]) => Promise<unknown>;
}

type Handler = (payload: string) => void;

/**
 * LISTEN/NOTIFY over one dedicated connection, opened at the first `listen`. When that
 * connection drops (a restart, a failover, pg_terminate_backend) it reconnects with
 * backoff and LISTENs again to every channel that still has handlers. Notifications sent
 * while it was away are lost: callers treat them as hints and poll as well.
 */
export class PgNotifier {
  private readonly handlers = new Map<string, Set<Handler>>();
  /** Channels the current connection LISTENs to. */
  private readonly active = new Set<string>();
  private client: pg.Client | null = null;
  /** Whether the reconciling loop runs; cleared in the same tick as its last look at `handlers`. */
  private syncing = false;
  private loop: Promise<void> = Promise.resolve();
  private retryMs = FIRST_RETRY_MS;
  private wakeRetry: (() => void) | null = null;
  private closed = false;
  /** Callers of ready() waiting for the reconciling loop to catch up with `handlers`. */
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly options: PgNotifierOptions) {}

  async notify(channel: string, payload: string): Promise<void> {
    checkChannel(channel);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      throw new ValidationError('payload', `is longer than ${MAX_PAYLOAD_BYTES} bytes`);
    }
    await this.options.query('select pg_notify($1, $2)', [channel, payload]);
  }

  /** Calls `onMessage` for each notification on `channel` from the moment LISTEN is in place; returns the unlisten. */
  listen(channel: string, onMessage: Handler): () => void {
    checkChannel(channel);
    if (this.closed) throw new Error('PgNotifier is closed');
    const handlers = this.handlers.get(channel) ?? new Set<Handler>();
    this.handlers.set(channel, handlers);
    // A wrapper per call, so the same function listening twice is unlistened once per call.
    const handler: Handler = (payload) => onMessage(payload);
    handlers.add(handler);
    this.sync();
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.handlers.get(channel) === handlers) this.handlers.delete(channel);
      this.sync();
    };
  }

  /**
   * Resolves once every channel listened to so far has its LISTEN in place (at once when
   * they have): a notification sent after that reaches this connection. Waits through
   * reconnects; close() resolves it too.
   */
  ready(): Promise<void> {
    if (!this.syncing) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    this.wakeRetry?.();
    await this.loop;
    await this.drop();
  }

  /** Starts the reconciling loop unless it runs already: it rereads `handlers` before it stops. */
  private sync(): void {
    if (this.syncing || this.closed) return;
    this.syncing = true;
    this.loop = this.reconcile();
  }

  private async reconcile(): Promise<void> {
    for (;;) {
      const stale = [...this.active].filter((channel) => !this.handlers.has(channel));
      const missing = [...this.handlers.keys()].filter((channel) => !this.active.has(channel));
      if (this.closed || (missing.length === 0 && stale.length === 0)) {
        this.syncing = false;
        for (const resolve of this.readyWaiters.splice(0)) resolve();
        return;
      }
      try {
        const client = this.client ?? (await this.connect());
        for (const channel of missing) {
          await client.query(`listen ${client.escapeIdentifier(channel)}`);
          this.active.add(channel);
        }
        for (const channel of stale) {
          await client.query(`unlisten ${client.escapeIdentifier(channel)}`);
          this.active.delete(channel);
        }
        this.retryMs = FIRST_RETRY_MS;
      } catch {
        // The server is unreachable or the connection broke mid-way: start over on a new one.
        await this.drop();
        await this.pause(this.retryMs);
        this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
      }
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = this.options.createClient();
    // A dropped connection reports 'error' and/or 'end'; either way the next sync reconnects.
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      this.active.clear();
      void client.end().catch(() => {});
      this.sync();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => this.deliver(message.channel, message.payload ?? ''));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.client = client;
    return client;
  }

  private deliver(channel: string, payload: string): void {
    for (const handler of this.handlers.get(channel) ?? []) {
      // Outside pg's message handling: a throwing handler fails loudly without breaking the connection.
      queueMicrotask(() => handler(payload));
    }
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.active.clear();
    await client?.end().catch(() => {});
  }

  /** Waits before reconnecting; close() cuts the wait short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeRetry = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeRetry = wake;
    });
  }
}

function checkChannel(channel: string): void {
  if (channel === '') throw new ValidationError('channel', 'is empty');
  if (Buffer.byteLength(channel) > MAX_CHANNEL_BYTES) {
    throw new ValidationError('channel', `is longer than ${MAX_CHANNEL_BYTES} bytes`);
  }
}
