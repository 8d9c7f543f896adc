import { type Insertable, type Kysely, type RawBuilder, sql } from 'kysely';
import { chunksOf } from './context.ts';
import type { Database } from './schema.ts';

/**
 * How a backend takes the per-row values of a bulk insert in one parameter per statement
 * (or per column) instead of one per value: SQLite a JSON array of rows (`json_each`),
 * PostgreSQL an array per column (`unnest`). A multi-row VALUES of 200 rows × 28 columns
 * binds 5,600 parameters per statement, and PostgreSQL plans such a statement anew each
 * time: a run over 10,000 agents spent about a second there, against a fifth with arrays.
 */
export type BulkRows = 'json' | 'arrays';

/** Rows per statement: one statement for a run over 10,000 agents, a bounded parameter size beyond. */
export const BULK_CHUNK = 10_000;

type Row = Readonly<Record<string, unknown>>;

/** What insertRows inserts: `items` as rows of `table`, each made by `toRow`. */
export interface BulkInsert<T extends keyof Database, I> {
  bulkRows: BulkRows;
  table: T;
  items: readonly I[];
  /** One object literal, so every row has the same columns in the same order, none undefined, values as the table stores them. */
  toRow: (item: I) => Insertable<Database[T]>;
  /** The rows take the table's generated ids in the items' order (log lines, read back by id). */
  inOrder?: boolean;
  /** A row that clashes with a stored one on these columns (a unique index) is left out: ON CONFLICT … DO NOTHING. */
  skipConflictsOn?: readonly string[];
}

/**
 * Inserts the items in statements of up to BULK_CHUNK rows, in order, mapping a chunk at a
 * time (only one chunk's rows are held at once). A column whose value is the same in every
 * row of a statement (a run's id, its job's params) is bound once, not per row. The caller
 * makes it atomic (several statements) and maps its errors. Returns how many rows it inserted.
 */
export async function insertRows<T extends keyof Database, I>(
  db: Kysely<Database>,
  of: BulkInsert<T, I>,
): Promise<number> {
  const build = of.bulkRows === 'json' ? fromJson : fromArrays;
  const conflicts = of.skipConflictsOn ? sql` on conflict (${columnList([...of.skipConflictsOn])}) do nothing` : sql``;
  let inserted = 0;
  for (const chunk of chunksOf(of.items, BULK_CHUNK)) {
    const insert = build(of.table, splitColumns(chunk.map(of.toRow) as Row[]), of.inOrder === true);
    const result = await sql`${insert}${conflicts}`.execute(db);
    inserted += Number(result.numAffectedRows ?? 0n);
  }
  return inserted;
}

/** A statement's columns, each row's values in their order, and the positions of those that differ between rows. */
interface Split {
  columns: string[];
  tuples: unknown[][];
  /** The other columns have one value (the first row's), bound once. */
  varying: number[];
}

/** Rows made by one mapper (the same keys in the same order): their values are read by position, not by name. */
function splitColumns(rows: readonly Row[]): Split {
  const columns = Object.keys(rows[0] ?? {});
  const tuples = rows.map((row) => Object.values(row));
  const [first = []] = tuples;
  const varying = columns.flatMap((_, i) => (tuples.some((t) => t[i] !== first[i]) ? [i] : []));
  // The row count travels with the varying values: one column varies at least.
  if (varying.length === 0 && columns.length > 0) varying.push(0);
  return { columns, tuples, varying };
}

const columnList = (columns: string[]) => sql.join(columns.map((c) => sql.ref(c)));

/** SQLite: the varying values as one JSON array of rows, each read back by position (`->>` keeps its type). */
function fromJson(table: string, split: Split, inOrder: boolean): RawBuilder<unknown> {
  const { columns, tuples, varying } = split;
  const json = JSON.stringify(tuples.map((t) => varying.map((i) => t[i])));
  const values = columns.map((_, i) => {
    const at = varying.indexOf(i);
    return at < 0 ? sql`${tuples[0]?.[i]}` : sql`value ->> ${sql.lit(at)}`;
  });
  // `where true`: an ON CONFLICT after a SELECT's FROM would read as a join's ON (SQLite's upsert docs).
  const order = inOrder ? sql` where true order by key` : sql` where true`;
  return sql`insert into ${sql.table(table)} (${columnList(columns)}) select ${sql.join(values)} from json_each(${json})${order}`;
}

/** The store's two column types (bigint, text), as PostgreSQL arrays of one column's values. */
export type ArrayType = 'bigint' | 'text';

/** The array type of one column's values: bigint where any is a number (a column of nulls and times), else text. */
export const arrayTypeOf = (values: readonly unknown[]): ArrayType =>
  values.some((v) => typeof v === 'number') ? 'bigint' : 'text';

/** `values` as one parameter of an array type, for unnest. */
export const typedArray = (values: unknown, type: ArrayType) => sql`${values}::${sql.raw(type)}[]`;

/** PostgreSQL: one array per varying column, zipped by unnest (numbered, WITH ORDINALITY, where the order counts). */
function fromArrays(table: string, split: Split, inOrder: boolean): RawBuilder<unknown> {
  const { columns, tuples, varying } = split;
  const arrays = varying.map((i) => {
    const values = tuples.map((t) => t[i]);
    return typedArray(values, arrayTypeOf(values));
  });
  const names = varying.map((i) => columns[i] as string);
  const values = columns.map((c, i) => (varying.includes(i) ? sql.ref(`u.${c}`) : sql`${tuples[0]?.[i]}`));
  const numbered = inOrder ? sql` with ordinality` : sql``;
  const aliases = inOrder ? [...names, 'row_ordinal'] : names;
  const order = inOrder ? sql` order by u.row_ordinal` : sql``;
  return sql`insert into ${sql.table(table)} (${columnList(columns)}) select ${sql.join(values)} from unnest(${sql.join(arrays)})${numbered} as u(${columnList(aliases)})${order}`;
}
