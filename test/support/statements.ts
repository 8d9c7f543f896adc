// Counts what the store drivers send, for tests that bound a request's or a job's cost in
// statements (never in time): better-sqlite3's statements and execs, node-postgres' queries.
import Database from 'better-sqlite3';
import pg from 'pg';

export interface StatementCounter {
  /** Statements are counted while this is true (BEGIN and COMMIT included). */
  counting: boolean;
  statements: number;
}

/**
 * What sets a connection up rather than serves a request, whenever it comes: a SQLite PRAGMA
 * (the checkpoint thread's safety net, set when the WAL first grows past its threshold, at a
 * timer's tick), a PostgreSQL SET (a new pooled connection's session settings, opened when the
 * pool dropped an idle one). No request or job sends either: counting them made statement
 * counts depend on timing.
 */
const CONNECTION_SETUP = /^\s*(pragma|set)\s/i;
/**
 * A signal to the other nodes (PostgreSQL's pg_notify), sent on the pool as its coalescing
 * allows: one for two events or two for one, before or after the work that raised it.
 */
const SIGNAL = /^\s*select pg_notify\(/i;

/** Patches the drivers' prototypes once per process: every store opened by the test is counted. */
export function statementCounter(): StatementCounter {
  const counter = { counting: false, statements: 0 };
  const count = () => {
    if (counter.counting) counter.statements++;
  };
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1'));
  probe.close();
  for (const method of ['run', 'all', 'get'] as const) {
    const original = statement[method];
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      if (!CONNECTION_SETUP.test(this.source)) count();
      return original.apply(this, args);
    };
  }
  const exec = Database.prototype.exec;
  Database.prototype.exec = function (this: Database.Database, source: string) {
    count();
    return exec.call(this, source);
  };
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
    const [text] = args;
    if (typeof text !== 'string' || !(CONNECTION_SETUP.test(text) || SIGNAL.test(text))) count();
    return query.apply(this, args);
  };
  return counter;
}
