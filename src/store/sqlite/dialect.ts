import type Database from 'better-sqlite3';
import {
  type DatabaseConnection,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryResult,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { withStatementCache } from './statement-cache.ts';

/** First wait before a statement another process's lock refused is tried again; it doubles up to MAX_WAIT_MS. */
const FIRST_WAIT_MS = 10;
const MAX_WAIT_MS = 250;
/**
 * How long, in all, a statement waits for another process's lock before the caller gets
 * `store_busy`: long enough for a CLI's write, short enough for an HTTP request to answer.
 */
export const BUSY_BUDGET_MS = 1_000;

/**
 * The store's SQLite dialect: kysely's, with a driver of our own (below) and an adapter
 * that says SQLite rolls back DDL, which lets kysely's Migrator run each migration batch
 * in a transaction.
 */
export class StoreSqliteDialect implements Dialect {
  constructor(private readonly database: Database.Database) {}

  createDriver(): Driver {
    return new ContendedSqliteDriver(this.database);
  }

  createQueryCompiler(): SqliteQueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  // biome-ignore lint/suspicious/noExplicitAny: kysely's own signature
  createIntrospector(db: Kysely<any>): SqliteIntrospector {
    return new SqliteIntrospector(db);
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * One connection shared in turn, like kysely's SQLite driver, with two differences:
 *
 * * Transactions open with BEGIN IMMEDIATE, not a plain (deferred) BEGIN, which takes the
 *   write lock only at the first write: a transaction that reads then writes could then
 *   fail when another process wrote in between, and no wait helps. IMMEDIATE takes the
 *   lock up front.
 * * Another process holding the file's lock (a backup tool, a CLI) does not stall the
 *   node: SQLite waits for a lock synchronously, blocking the event loop, so its own wait
 *   (busy_timeout) is kept to a few milliseconds, and a statement or a BEGIN that finds the
 *   file locked is tried again after growing asynchronous waits, up to BUSY_BUDGET_MS. The
 *   connection is free for others meanwhile (readers go on: in WAL mode another process's
 *   lock stops writers only). Statements inside a transaction are not retried: the
 *   transaction holds the lock already, and letting others in would put their statements
 *   inside it.
 */
class ContendedSqliteDriver implements Driver {
  private readonly turns = new Turns();
  private readonly connection: SqliteConnection;

  constructor(private readonly database: Database.Database) {
    this.connection = new SqliteConnection(withStatementCache(database), (attempt) => this.retryingBusy(attempt));
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.turns.take();
    return this.connection;
  }

  async beginTransaction(): Promise<void> {
    await this.retryingBusy(() => this.database.exec('begin immediate'));
  }

  async commitTransaction(): Promise<void> {
    this.database.exec('commit');
  }

  async rollbackTransaction(): Promise<void> {
    this.database.exec('rollback');
  }

  async releaseConnection(): Promise<void> {
    this.turns.give();
  }

  async destroy(): Promise<void> {
    this.database.close();
  }

  /** Runs `attempt`, again after a wait (the connection given up meanwhile) while another process holds the lock. */
  private async retryingBusy<T>(attempt: () => T): Promise<T> {
    const giveUpAt = performance.now() + BUSY_BUDGET_MS;
    for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, MAX_WAIT_MS)) {
      try {
        return attempt();
      } catch (error) {
        if (!isLockedOut(error) || this.database.inTransaction || performance.now() + wait > giveUpAt) throw error;
      }
      this.turns.give();
      await new Promise((resolve) => setTimeout(resolve, wait));
      await this.turns.take();
    }
  }
}

/** SQLITE_BUSY (another connection holds the lock) and SQLITE_LOCKED, with their extended codes. */
export function isLockedOut(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code);
}

class SqliteConnection implements DatabaseConnection {
  constructor(
    private readonly statements: SqliteDatabase,
    private readonly retryingBusy: <T>(attempt: () => T) => Promise<T>,
  ) {}

  executeQuery<R>(query: { sql: string; parameters: readonly unknown[] }): Promise<QueryResult<R>> {
    return this.retryingBusy(() => {
      const statement = this.statements.prepare(query.sql);
      if (statement.reader) return { rows: statement.all(query.parameters) as R[] };
      const { changes, lastInsertRowid } = statement.run(query.parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    });
  }

  // biome-ignore lint/correctness/useYield: the store never streams; kysely's interface asks for the method
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the SQLite store does not stream queries');
  }
}

/** Turns at the one connection, first come first served. */
class Turns {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  take(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}
