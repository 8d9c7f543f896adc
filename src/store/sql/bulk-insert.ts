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

/**
 * Inserts `items` as rows of `table` (`toRow`: each with every column named by the first,
 * values as the table stores them) in statements of up to BULK_CHUNK rows, in order,
 * mapping a chunk at a time (only one chunk's rows are held at once). A column whose value
 * is the same in every row of a statement (a run's id, its job's params) is bound once,
 * not per row. The caller makes it atomic (several statements) and maps its errors.
 */
export async function insertRows<T extends keyof Database, I>(
  db: Kysely<Database>,
  of: { bulkRows: BulkRows; table: T; items: readonly I[]; toRow: (item: I) => Insertable<Database[T]> },
): Promise<void> {
  const build = of.bulkRows === 'json' ? fromJson : fromArrays;
  for (const chunk of chunksOf(of.items, BULK_CHUNK)) {
    await build(of.table, splitColumns(chunk.map(of.toRow) as Row[])).execute(db);
  }
}

/** A statement's columns in row order, and for each its one value when every row has the same. */
interface Split {
  rows: readonly Row[];
  columns: string[];
  varying: string[];
  same: Map<string, unknown>;
}

function splitColumns(rows: readonly Row[]): Split {
  const [first = {}] = rows;
  const columns = Object.keys(first);
  const same = new Map<string, unknown>();
  for (const column of columns) {
    const value = first[column];
    if (rows.every((row) => row[column] === value)) same.set(column, value);
  }
  // The row count travels with the varying values: one column varies at least.
  if (same.size === columns.length && columns[0] !== undefined) same.delete(columns[0]);
  return { rows, columns, varying: columns.filter((c) => !same.has(c)), same };
}

const columnList = (columns: string[]) => sql.join(columns.map((c) => sql.ref(c)));

/** SQLite: the varying values as one JSON array of rows, each read back by position (`->>` keeps its type). */
function fromJson(table: string, split: Split): RawBuilder<unknown> {
  const { rows, columns, varying, same } = split;
  const tuples = JSON.stringify(rows.map((row) => varying.map((c) => row[c])));
  const values = columns.map((c) =>
    same.has(c) ? sql`${same.get(c)}` : sql`value ->> ${sql.lit(varying.indexOf(c))}`,
  );
  return sql`insert into ${sql.table(table)} (${columnList(columns)}) select ${sql.join(values)} from json_each(${tuples})`;
}

/** PostgreSQL: one array per varying column (text or bigint, the store's two column types), zipped by unnest. */
function fromArrays(table: string, split: Split): RawBuilder<unknown> {
  const { rows, columns, varying, same } = split;
  const arrays = varying.map((c) => {
    const values = rows.map((row) => row[c]);
    const type = values.some((v) => typeof v === 'number') ? sql`bigint[]` : sql`text[]`;
    return sql`${values}::${type}`;
  });
  const values = columns.map((c) => (same.has(c) ? sql`${same.get(c)}` : sql.ref(`u.${c}`)));
  return sql`insert into ${sql.table(table)} (${columnList(columns)}) select ${sql.join(values)} from unnest(${sql.join(arrays)}) as u(${columnList(varying)})`;
}
