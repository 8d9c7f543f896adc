import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Statements built with kysely once and reused. Building and compiling a query (immutable
 * nodes, frozen at each step, then a visitor) costs more CPU than SQLite takes to run a small
 * one, and the agent protocol runs the same dozen statements for every contact and event.
 * So a hot statement is built once per store and shape with slots in place of its values
 * (kysely-params' approach: a marker object is an ordinary value to kysely, and lands in the
 * compiled parameters), and each call only puts its values where the slots landed. It runs
 * through the session's kysely (`executeQuery`), so transactions, the driver's outage errors
 * and the SQLite statement cache apply as to any query.
 */

/** Where a call's value goes: `params[name]`, or `params[name][index]` for a list. */
class Slot {
  constructor(
    readonly name: string,
    readonly index: number,
  ) {}
}

/**
 * Hands out slots to build a statement with: `p('id')` where the value goes, `p.list('ids',
 * n)` for an `IN` list of n (a call's shorter list repeats its last value: `IN` is unmoved).
 */
export interface Slots<P> {
  <K extends keyof P & string>(name: K): P[K];
  list<K extends keyof P & string>(name: K, length: number): P[K];
}

const slots = Object.assign((name: string) => new Slot(name, -1), {
  list: (name: string, length: number) => Array.from({ length }, (_, index) => new Slot(name, index)),
}) as unknown as Slots<Record<string, unknown>>;

/** A statement compiled once: its SQL, its parameters with slots, and where each slot is. */
interface Template {
  readonly query: CompiledQuery;
  readonly bound: readonly { position: number; name: string; index: number }[];
}

/** The compiled statements of one store (its dialect), shared by its own session and its transactions. */
export class CompiledStatements {
  private readonly templates = new Map<Statement<never, unknown>, Map<string, Template>>();

  template(statement: Statement<never, unknown>, shape: string, compile: () => CompiledQuery): Template {
    let shapes = this.templates.get(statement);
    if (!shapes) {
      shapes = new Map();
      this.templates.set(statement, shapes);
    }
    const known = shapes.get(shape);
    if (known) return known;
    const query = compile();
    const bound = [];
    for (const [position, value] of query.parameters.entries()) {
      if (value instanceof Slot) bound.push({ position, name: value.name, index: value.index });
    }
    const template = { query, bound };
    shapes.set(shape, template);
    return template;
  }
}

/** What a statement runs over: the session's kysely and its store's compiled statements. */
export interface CompiledContext {
  readonly db: Kysely<Database>;
  readonly compiled: CompiledStatements;
}

/**
 * A statement built by `build` with slots (`p`) in place of its values. Where its form
 * varies (optional filters, list lengths), `shape` names the variant: one compilation each,
 * so a shape must come from a small set (listShape for lists).
 */
export class Statement<P, R> {
  constructor(private readonly build: (db: Kysely<Database>, p: Slots<P>, shape: string) => Compilable<R>) {}

  async run(ctx: CompiledContext, params: P, shape = ''): Promise<QueryResult<R>> {
    const { query, bound } = ctx.compiled.template(this as Statement<never, unknown>, shape, () =>
      this.build(ctx.db, slots as unknown as Slots<P>, shape).compile(),
    );
    const parameters = query.parameters.slice();
    for (const { position, name, index } of bound) {
      const value = (params as Record<string, unknown>)[name];
      parameters[position] = index < 0 ? value : (value as unknown[])[Math.min(index, (value as unknown[]).length - 1)];
    }
    // The session's plugins see the statement as they see a built one (TransactionScope's guard).
    ctx.db.getExecutor().transformQuery(query.query, query.queryId);
    return ctx.db.executeQuery<R>({ ...query, parameters });
  }

  async rows(ctx: CompiledContext, params: P, shape = ''): Promise<R[]> {
    return (await this.run(ctx, params, shape)).rows;
  }

  async first(ctx: CompiledContext, params: P, shape = ''): Promise<R | undefined> {
    return (await this.run(ctx, params, shape)).rows[0];
  }

  /**
   * The rows of a statement whose one parameter is the list `keys` (its shape the list's
   * length, listShape), for every key: in statements of up to `perStatement` keys.
   */
  async rowsOfKeys(
    this: Statement<{ keys: string[] }, R>,
    ctx: CompiledContext,
    keys: readonly string[],
    perStatement = LIST_CHUNK,
  ): Promise<R[]> {
    return (await this.runOfKeys(ctx, keys, {}, perStatement)).flatMap((result) => result.rows);
  }

  /**
   * Runs a statement whose list parameter is `keys` (its shape the list's length,
   * listShape), with the other parameters `rest`, for every key: in statements of up to
   * `perStatement` keys (a write over a list: a batch's agents, triggers, runs to lock);
   * returns each statement's result.
   */
  async runOfKeys<E extends object>(
    this: Statement<E & { keys: string[] }, R>,
    ctx: CompiledContext,
    keys: readonly string[],
    rest: E,
    perStatement = LIST_CHUNK,
  ): Promise<QueryResult<R>[]> {
    const results: QueryResult<R>[] = [];
    for (let from = 0; from < keys.length; from += perStatement) {
      const part = keys.slice(from, from + perStatement);
      results.push(await this.run(ctx, { ...rest, keys: part }, String(listShape(part.length))));
    }
    return results;
  }

  /** Rows a write changed. */
  async changed(ctx: CompiledContext, params: P, shape = ''): Promise<number> {
    return Number((await this.run(ctx, params, shape)).numAffectedRows ?? 0n);
  }
}

/** Keys per statement of rowsOfKeys: SQLite binds at most 32,766 parameters. */
const LIST_CHUNK = 1000;

/** The list length a list of `n` values is compiled for: powers of two, so lengths up to 1,024 take 11 shapes. */
export function listShape(n: number): number {
  let length = 1;
  while (length < n) length *= 2;
  return length;
}

/**
 * The SET of an update whose columns vary by call: the shape names the columns (joined by
 * ","), each bound to the slot `set.<column>`; boundSet gives a call's values for them.
 */
export function setSlots<P>(columns: string, p: Slots<P>): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const column of columns.split(',')) set[column] = (p as Slots<Record<string, unknown>>)(`set.${column}`);
  return set;
}

export function boundSet(row: object): { columns: string; values: Record<string, unknown> } {
  const values: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) values[`set.${column}`] = value;
  return { columns: Object.keys(row).join(','), values };
}

/**
 * A one-row insert's values for a statement built with setSlots over the shape `columns`:
 * as kysely's `values`, a column whose value is undefined is left out (its default applies).
 */
export function boundRow(row: object): { columns: string; values: Record<string, unknown> } {
  return boundSet(Object.fromEntries(Object.entries(row).filter(([, value]) => value !== undefined)));
}
