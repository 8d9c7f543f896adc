// Which driver errors say the database is busy or away (503, retried) rather than the query wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresOutage } from '../../src/store/postgres/errors.ts';
import { sqliteOutage } from '../../src/store/sqlite/errors.ts';

const driverError = (code: string | undefined, message: string) => Object.assign(new Error(message), { code });

test('SQLite: busy and locked, with their extended codes, are store_busy; the rest is not an outage', () => {
  for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE']) {
    assert.equal(sqliteOutage(driverError(code, 'database is locked'))?.code, 'store_busy', code);
  }
  for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_BUSYNESS', undefined]) {
    assert.equal(sqliteOutage(driverError(code, 'no')), null, String(code));
  }
  assert.match(
    sqliteOutage(driverError('SQLITE_BUSY', 'database is locked'))?.message ?? '',
    /^database locked by another process \(SQLITE_BUSY: database is locked; waited 1 s\)$/,
  );
});

test('PostgreSQL: lock and statement timeouts are store_busy; a server away is store_unavailable; the rest is not', () => {
  const cases: [string | undefined, string, string | null][] = [
    ['55P03', 'canceling statement due to lock timeout', 'store_busy'],
    ['40P01', 'deadlock detected', 'store_busy'],
    ['57014', 'canceling statement due to statement timeout', 'store_busy'],
    ['57P01', 'terminating connection due to administrator command', 'store_unavailable'],
    ['08006', 'connection failure', 'store_unavailable'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432', 'store_unavailable'],
    [undefined, 'Connection terminated unexpectedly', 'store_unavailable'],
    [undefined, 'timeout exceeded when trying to connect', 'store_unavailable'],
    ['23505', 'duplicate key value violates unique constraint', null],
    ['42P01', 'relation "nope" does not exist', null],
    [undefined, 'something else', null],
  ];
  for (const [code, message, expected] of cases) {
    assert.equal(postgresOutage(driverError(code, message))?.code ?? null, expected, `${code} ${message}`);
  }
  assert.equal(
    postgresOutage(driverError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))?.message,
    'database unreachable: connect ECONNREFUSED 127.0.0.1:5432',
  );
});
