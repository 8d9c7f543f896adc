import type {
  DatabaseConnection,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import type { TaskwardenError } from '../../core/errors.ts';

/**
 * What a driver error means when the database, not the query, failed: `store_busy` (locked
 * by another process, a lock wait gave up) or `store_unavailable` (refused, lost); null
 * for every other error. Each backend recognises its own errors.
 */
export type OutageOf = (error: unknown) => TaskwardenError | null;

/**
 * `dialect` whose driver reports a database that is busy or away as the catalog's
 * `store_busy` / `store_unavailable` (503 with Retry-After at the HTTP edge, retried by the
 * engine), whatever query hit it: the one place those driver errors are translated.
 */
export function withOutageErrors(dialect: Dialect, outageOf: OutageOf): Dialect {
  return {
    createAdapter: (): DialectAdapter => dialect.createAdapter(),
    createQueryCompiler: (): QueryCompiler => dialect.createQueryCompiler(),
    // biome-ignore lint/suspicious/noExplicitAny: kysely's own signature
    createIntrospector: (db: Kysely<any>) => dialect.createIntrospector(db),
    createDriver: (): Driver => new OutageDriver(dialect.createDriver(), outageOf),
  };
}

class OutageConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly translate: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  executeQuery<R>(query: Parameters<DatabaseConnection['executeQuery']>[0]): Promise<QueryResult<R>> {
    return this.translate(() => this.inner.executeQuery<R>(query));
  }

  async *streamQuery<R>(
    query: Parameters<DatabaseConnection['streamQuery']>[0],
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    const rows = this.inner.streamQuery<R>(query, chunkSize);
    for (;;) {
      const next = await this.translate(() => rows.next());
      if (next.done) return;
      yield next.value;
    }
  }
}

class OutageDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly outageOf: OutageOf,
  ) {}

  private readonly translate = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw this.outageOf(error) ?? error;
    }
  };

  init(): Promise<void> {
    return this.translate(() => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new OutageConnection(await this.translate(() => this.inner.acquireConnection()), this.translate);
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.translate(() => this.inner.beginTransaction(innerOf(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.translate(() => this.inner.commitTransaction(innerOf(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.translate(() => this.inner.rollbackTransaction(innerOf(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function innerOf(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof OutageConnection ? connection.inner : connection;
}
