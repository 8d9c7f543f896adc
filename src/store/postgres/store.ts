import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { TaskwardenError, ValidationError } from '../../core/errors.ts';
import type { Store, StoreCapabilities } from '../../core/ports/store.ts';
import { KyselyStore } from '../sql/kysely-store.ts';
import { LockWaits } from '../sql/lock-waits.ts';
import { withOutageErrors } from '../sql/outage-dialect.ts';
import type { Database } from '../sql/schema.ts';
import { classifyPostgresError, postgresOutage } from './errors.ts';
import { postgresMigrations } from './migrations/index.ts';
import { PgNotifier } from './notify.ts';
import { nameRepeatedStatements, StatementNames } from './prepared.ts';

/** Row locks to skip, LISTEN/NOTIFY to wake other nodes, any number of nodes on one database, reached by round trips. */
export const POSTGRES_CAPABILITIES: StoreCapabilities = {
  rowLocks: true,
  skipLocked: true,
  notify: true,
  multiNode: true,
  roundTrips: true,
};

const DEFAULT_POOL_SIZE = 10;
/** application_name of the LISTEN connection, so operators (and tests) can tell it apart in pg_stat_activity. */
export const LISTENER_NAME = 'taskwarden-listener';
const INT8_OID = 20;
/**
 * How long a connection of this store may sit in an open transaction waiting for the node
 * (PostgreSQL's idle_in_transaction_session_timeout). A node frozen mid-transaction
 * (SIGSTOP, a suspended VM, a stalled event loop) would otherwise hold its row locks for
 * as long as it is frozen: the due triggers or jobstates it had claimed, skipped by every
 * other node, would wait for it, and a write of another node on one of those rows would
 * block. Past this the database ends its session and frees them; the frozen node, once it
 * runs again, finds its transaction gone and retries its pass. The engine's transactions
 * wait on nothing but the database, so a live node never comes near it.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;

/**
 * Every integer column is bigint, which node-postgres returns as a string (it may exceed
 * 2^53). Ours are epoch milliseconds, counters and ids far below that, so they are read
 * as numbers. Set on this store's connections only, not globally for every pg user.
 */
const types = new pg.TypeOverrides();
types.setTypeParser(INT8_OID, 'text', Number);

/**
 * How long a statement waits for a lock another session holds (PostgreSQL's lock_timeout)
 * before it gives up: `LOCK TABLE` by an operator or a migration tool, a long transaction.
 * Without it a write waits as long as the lock is held, holding a pool connection and its
 * HTTP request; with it, the request answers 503 `store_busy` (Retry-After) and /health
 * says degraded (LockWaits) while writes keep giving up.
 */
export const DEFAULT_LOCK_TIMEOUT_MS = 3_000;
/** How long /health stays degraded after the last write that gave up on a lock. */
const LOCK_WAIT_MEMORY_MS = 10_000;
/** lock_not_available: a lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (or `postgresql://`), with any libpq-style query options. */
  url: string;
  /** Connections in the pool; default 10. */
  poolSize?: number | undefined;
  /** lock_timeout of the pool's sessions, ms; default DEFAULT_LOCK_TIMEOUT_MS. */
  lockTimeoutMs?: number | undefined;
}

/**
 * Connects to a PostgreSQL database as a Store (the connection is checked before it
 * returns). The schema is not touched until `migrate()`, which is safe to run from several
 * nodes at once: kysely's Migrator holds an advisory lock while it migrates.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const where = describeUrl(options.url);
  const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
    throw new ValidationError('poolSize', `must be an integer from 1 to 1000, got ${poolSize}`);
  }
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  if (!Number.isInteger(lockTimeoutMs) || lockTimeoutMs < 1 || lockTimeoutMs > 3_600_000) {
    throw new ValidationError('lockTimeout', `must be from 1 ms to 1 h, got ${lockTimeoutMs} ms`);
  }
  const config: pg.ClientConfig = { connectionString: options.url, types };
  // The SETs are a new connection's first query, awaited before the pool hands it out
  // (pg-pool's onConnect): a SET, unlike a startup parameter, also passes through connection
  // poolers such as PgBouncer. A query sent while another runs is deprecated in pg 8 and
  // refused by pg 9, so the SETs are one query, and the pool's 'connect' event (which
  // cannot wait) no longer sends them.
  const names = new StatementNames();
  const sets = `set idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_TIMEOUT_MS}; set lock_timeout = ${lockTimeoutMs}`;
  const pool = new pg.Pool({
    ...config,
    max: poolSize,
    onConnect: async (client: pg.ClientBase) => {
      // A connection the server closes between two queries reports 'error' on its client
      // (its next query then fails); unheard, the event would crash the process.
      client.on('error', () => {});
      nameRepeatedStatements(client, names);
      await client.query(sets);
    },
  });
  // The pool drops an idle connection the server closed (restart, failover,
  // pg_terminate_backend) and emits it here.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    const message = error instanceof Error ? error.message : String(error);
    throw new TaskwardenError('unavailable', `cannot connect to PostgreSQL at ${where}: ${message}`);
  }
  const lockWaits = new LockWaits(LOCK_WAIT_MEMORY_MS);
  const outageOf = (error: unknown) => {
    const outage = postgresOutage(error);
    if (outage && (error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) lockWaits.gaveUp(String(error));
    return outage;
  };
  const db = new Kysely<Database>({ dialect: withOutageErrors(new PostgresDialect({ pool }), outageOf) });
  const notifier = new PgNotifier({
    createClient: () => new pg.Client({ ...config, application_name: LISTENER_NAME }),
    query: (text, values) => pool.query(text, values),
  });
  return new KyselyStore({
    db,
    capabilities: POSTGRES_CAPABILITIES,
    migrations: postgresMigrations,
    classifyError: classifyPostgresError,
    bulkRows: 'arrays',
    lateralJoins: true,
    lockName: async (tx, key) => {
      await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(tx);
    },
    signals: {
      publish: (channel, payload) => notifier.notify(channel, payload),
      subscribe: (channel, fn) => notifier.listen(channel, fn),
      ready: () => notifier.ready(),
    },
    dbNow: async () => {
      const { rows } = await sql<{ now: number }>`
        select floor(extract(epoch from clock_timestamp()) * 1000)::bigint as now`.execute(db);
      return rows[0]!.now;
    },
    onClose: () => notifier.close(),
    contention: () => lockWaits.current(),
    // A node starting while another migrates waits for the migration lock as long as it takes.
    migrating: (db, migrate) =>
      db.connection().execute(async (session) => {
        await sql`set lock_timeout = 0`.execute(session);
        try {
          return await migrate(session);
        } finally {
          await sql.raw(`set lock_timeout = ${lockTimeoutMs}`).execute(session);
        }
      }),
  });
}

/** host:port/database of a URL, for messages: never the password. */
function describeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('url', 'is not a valid PostgreSQL URL');
  }
  if (!/^postgres(ql)?:$/i.test(parsed.protocol)) {
    throw new ValidationError('url', `must start with postgres:// or postgresql://, got ${parsed.protocol}//`);
  }
  const host = parsed.host || parsed.searchParams.get('host') || 'localhost';
  return `${host}${parsed.pathname}`;
}
