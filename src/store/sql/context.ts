import type { Kysely } from 'kysely';
import { type ErrorCode, TaskwardenError } from '../../core/errors.ts';
import type { Page, Paged, StoreCapabilities } from '../../core/ports/store.ts';
import type { BulkRows } from './bulk-insert.ts';
import type { CompiledStatements } from './compiled.ts';
import type { Database } from './schema.ts';

/** What a driver error means to us; each dialect recognises its own error codes. */
export type DriverErrorKind = 'unique' | 'foreign_key';
export type ClassifyDriverError = (error: unknown) => DriverErrorKind | null;

/** What every repo is built over: a connection (or a transaction) and the backend's traits. */
export interface SqlContext {
  readonly db: Kysely<Database>;
  readonly capabilities: StoreCapabilities;
  readonly classifyError: ClassifyDriverError;
  /** The store's hot statements, compiled once (compiled.ts). */
  readonly compiled: CompiledStatements;
  /**
   * Takes a lock named `key` until the transaction `db` ends (PostgreSQL's advisory
   * transaction locks): a way to serialise decisions about rows that may not exist yet.
   * Absent where one writer at a time is the rule anyway (SQLite).
   */
  readonly lockName?: ((db: Kysely<Database>, key: string) => Promise<void>) | undefined;
  /**
   * `UPDATE … RETURNING` buffers its rows in a temporary table even when none changed
   * (SQLite), costing more than the update itself: hot writes update, then read back.
   */
  readonly returningBuffersRows?: boolean | undefined;
  /**
   * How a bulk insert carries its rows' values (bulk-insert.ts); with `arrays`, an update of
   * many rows (updateOwned) zips its values from arrays too, where `json` (SQLite, whose
   * VALUES keep their types) joins a VALUES list.
   */
  readonly bulkRows: BulkRows;
  /**
   * The backend joins LATERAL subqueries (PostgreSQL): a read for a list of agents seeks
   * each agent's rows in a subquery of its own (listRunningOnAgents), which the planner
   * cannot turn into one read of a status's whole index.
   */
  readonly lateralJoins?: boolean | undefined;
  /**
   * Reads that walk a whole table (the metrics' counts), where they do not hold the event
   * loop (SQLite: a thread, reader-thread.ts); absent, they run as any other (PostgreSQL
   * answers over the network).
   */
  readonly wholeTableRead?: WholeTableRead | undefined;
}

/** A query as kysely builds it: compiled for another connection, or run on the session's. */
export interface RowQuery<R> {
  compile(): { sql: string; parameters: readonly unknown[] };
  execute(): Promise<R[]>;
}

/** Reads a query's rows somewhere the event loop does not wait for them. */
export type WholeTableRead = <R>(query: RowQuery<R>) => Promise<R[]>;

/** A read that walks a whole table: off the event loop where the store can, on the session's connection in a transaction. */
export function readWhole<R>(ctx: SqlContext, query: RowQuery<R>): Promise<R[]> {
  return ctx.wholeTableRead && !ctx.db.isTransaction ? ctx.wholeTableRead(query) : query.execute();
}

/**
 * Runs a multi-statement operation atomically: inside the caller's transaction when the
 * session is one, else in its own.
 */
export function atomic<T>(ctx: SqlContext, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return ctx.db.isTransaction ? fn(ctx.db) : ctx.db.transaction().execute(fn);
}

/**
 * The one place driver errors become catalog errors. `what` names the record being written
 * (`org "acme"`), so a clash reads "org "acme" already exists"; `clash` is the catalog code
 * of that situation (`org_name_taken`), or record_exists where only a race can clash.
 */
export async function writing<T>(
  ctx: SqlContext,
  what: string,
  fn: () => Promise<T>,
  clash: ErrorCode = 'record_exists',
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const kind = ctx.classifyError(error);
    if (kind === 'unique') throw new TaskwardenError(clash, `${what} already exists`);
    if (kind === 'foreign_key')
      throw new TaskwardenError('not_found', `${what} refers to a record that does not exist`);
    throw error;
  }
}

/**
 * Rows per multi-row INSERT of a bulk write: 200 rows of up to ~30 columns stay far below
 * SQLite's (32,766) and PostgreSQL's (65,535) parameter limits.
 */
export const INSERT_CHUNK = 200;

/** `rows` in slices of at most `size`, in order. */
export function* chunksOf<T>(rows: readonly T[], size: number = INSERT_CHUNK): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

export const MAX_LIMIT = 1000;

/** Every limit is clamped to 1..1000: pages stay small and id lists stay under SQL parameter limits. */
export function clampLimit(limit: number): number {
  if (!Number.isFinite(limit)) return MAX_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(limit)));
}

/**
 * Queries fetch one row more than the page holds; its presence says there is a next page,
 * whose cursor is the last returned row's key.
 */
export function toPage<R, T>(rows: R[], limit: number, cursorOf: (row: R) => string, map: (row: R) => T): Paged<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), next: more && last !== undefined ? cursorOf(last) : null };
}

export function pageWindow(page: Page): { after: string | undefined; limit: number } {
  return { after: page.after, limit: clampLimit(page.limit) };
}

/** Converts a driver's affected-row count (bigint, maybe undefined) to a number. */
export const affected = (count: bigint | undefined): number => Number(count ?? 0n);
