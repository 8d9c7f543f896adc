import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct statements kept: the store's queries are a few hundred shapes (IN lists vary by length). */
const MAX_STATEMENTS = 1000;

/**
 * kysely prepares every query anew, and preparing costs as much as running a small query.
 * The store issues the same few hundred SQL texts over and over, so they are prepared once
 * and reused (least recently used dropped past the cap). Safe because kysely runs one query
 * at a time per connection and reads results whole; SQLite re-prepares a statement itself
 * when a migration changed the schema under it.
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
        statement = database.prepare(sql);
        if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
