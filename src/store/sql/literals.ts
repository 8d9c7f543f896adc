import { type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from './schema.ts';

/**
 * A status or runner of a jobstate query written into the statement's text, not bound.
 * SQLite uses a partial index only where the query states the index's condition with the
 * same literal (0023: `status = 'waiting'`, `runner = 'agent'`…), and a bound value compared
 * where such a condition names one makes it prepare the statement again at every run, to
 * look at the value. Only for values of the code (the lifecycle's statuses, the runners),
 * never for input: anything but a lower-case word is refused, so no value can close the
 * quotes it is written in.
 */
export function literal(value: string): RawBuilder<string> {
  if (!/^[a-z_]{1,40}$/.test(value))
    throw new Error(`not a status or runner to write as a literal: ${JSON.stringify(value)}`);
  return sql.lit(value);
}

/** literal() of each: an `in` list written into the statement. */
export const literals = (values: readonly string[]): RawBuilder<string>[] => values.map(literal);

/**
 * `status = '<s>'` for one status, `status in (…)` for more: SQLite reads `in ('<s>')` as
 * `= +'<s>'`, which matches no partial index's condition.
 */
export function statusIn(
  eb: ExpressionBuilder<Database, 'jobstates'>,
  statuses: readonly string[],
): Expression<SqlBool> {
  const [only, ...more] = statuses;
  return only !== undefined && more.length === 0
    ? eb('status', '=', literal(only))
    : eb('status', 'in', literals(statuses));
}
