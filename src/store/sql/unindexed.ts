import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from './schema.ts';

/**
 * `first AND then` written as one CASE, which no index can serve. For a statement that finds
 * its rows by their ids' IN list on the primary key, so that its other conditions cannot lead
 * a planner without statistics (SQLite until an ANALYZE, which the store never runs;
 * PostgreSQL on a new table, before autovacuum's first ANALYZE) to read every row of a status
 * or a flag off an index of that column instead.
 */
export function unindexed<T extends keyof Database>(
  eb: ExpressionBuilder<Database, T>,
  first: Expression<SqlBool>,
  then: Expression<SqlBool>,
): Expression<SqlBool> {
  return eb.case().when(first).then(then).else(sql.lit(false)).end() as Expression<SqlBool>;
}
