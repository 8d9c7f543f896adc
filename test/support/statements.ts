// Counts what the store drivers send, for tests that bound a request's or a job's cost in
// statements (never in time): better-sqlite3's statements and execs, node-postgres' queries.
import Database from 'better-sqlite3';
import pg from 'pg';

export interface StatementCounter {
  /** Statements are counted while this is true (BEGIN and COMMIT included). */
  counting: boolean;
  statements: number;
}

const PRAGMA = /^\s*pragma\b/i;

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
      // A PRAGMA sets the connection up, whenever it comes: the checkpoint thread's safety net
      // is set when the WAL first grows past its threshold, a timer's tick that may fall
      // among a test's requests. No request or job sends one.
      if (!PRAGMA.test(this.source)) count();
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
    count();
    return query.apply(this, args);
  };
  return counter;
}
