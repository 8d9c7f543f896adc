import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct statements kept: the store's queries are a few hundred shapes (IN lists vary by length). */
const MAX_STATEMENTS = 1000;

/** Builds a row object from a row's values, in its statement's column order. */
type RowMaker = (values: unknown[]) => Record<string, unknown>;

/**
 * kysely prepares every query anew, and preparing costs as much as running a small query.
 * The store issues the same few hundred SQL texts over and over, so they are prepared once
 * and reused (least recently used dropped past the cap). Safe because kysely runs one query
 * at a time per connection and reads results whole; SQLite re-prepares a statement itself
 * when a migration changed the schema under it.
 *
 * Rows are read as arrays of values (better-sqlite3's raw mode) and made objects by a
 * function compiled once per statement for its columns: better-sqlite3 sets a row object's
 * properties one by one from C++, which for a jobstate (29 columns) cost twice as much as
 * reading it (7 µs a row, 3.5 µs this way), and the agent protocol reads whole jobstates and
 * agents by the hundred. A statement that changes the schema (CREATE, ALTER, DROP) empties
 * the cache, so no column list outlives a migration of this connection; a row whose length
 * is not its statement's column count (another process's migration) has its columns read again.
 */
export function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        if (SCHEMA_CHANGE.test(sql)) statements.clear();
        statement = cachedStatement(database.prepare(sql));
        if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

const SCHEMA_CHANGE = /^\s*(create|alter|drop)\b/i;

function cachedStatement(statement: Database.Statement): SqliteStatement {
  if (!statement.reader) return statement as unknown as SqliteStatement;
  statement.raw(true);
  let row = rowMaker(statement);
  const all = (parameters: ReadonlyArray<unknown>) => {
    const values = statement.all(parameters) as unknown[][];
    if (values.length > 0 && (values[0] as unknown[]).length !== row.columns) row = rowMaker(statement);
    return values.map(row.make);
  };
  // The store reads results whole (its dialect streams nothing); iterate is kysely's interface.
  return {
    reader: true,
    all,
    run: (parameters) => statement.run(parameters),
    iterate: (p) => all(p).values(),
  } as SqliteStatement;
}

/**
 * An object literal of the statement's columns, compiled: V8 then gives every row the same
 * shape at once. The names are written as JSON strings, which are JavaScript string literals,
 * so no column name (they come from the store's own SQL) can be anything but a key; a name
 * seen twice (a join's two `id`s) keeps its last value, as better-sqlite3's objects do.
 */
function rowMaker(statement: Database.Statement): { columns: number; make: RowMaker } {
  const fields = statement.columns().map((column, i) => `${JSON.stringify(column.name)}: values[${i}]`);
  return { columns: fields.length, make: new Function('values', `return { ${fields.join(', ')} };`) as RowMaker };
}
