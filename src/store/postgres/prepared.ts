import type pg from 'pg';

/** A SQL text runs as a named statement from its HOT_AFTER-th use on (one-off texts stay unnamed). */
const HOT_AFTER = 3;
/** Texts counted towards HOT_AFTER at most: past it the counts start over, so one-off texts never pile up. */
const MAX_COUNTED = 5_000;
/** Named texts at most: each connection keeps a statement (and its plan) for each it ran. */
const MAX_NAMED = 500;

/** SQLSTATE 0A000 from RevalidateCachedQuery: a named statement's tables changed its columns. */
const isStalePlan = (error: unknown) =>
  (error as { code?: unknown }).code === '0A000' &&
  (error as { routine?: unknown }).routine === 'RevalidateCachedQuery';
/** SQLSTATE 26000: the server session has no statement of that name (a pooler in transaction mode). */
const isUnknownStatement = (error: unknown) => (error as { code?: unknown }).code === '26000';

/**
 * The names under which a pool's connections prepare the SQL texts the store sends over and
 * over. PostgreSQL plans an unnamed statement at every call, and for the store's short
 * statements planning cost several times their execution (a batch's run completion: 0.5–0.9
 * ms planned, 0.1–0.2 ms run); a named one is parsed and planned once per connection, then
 * only bound and run (pg sends Parse the first time a connection sees the name).
 *
 * A named statement outlives a ROLLBACK (prepared statements are not transactional), and pg
 * records a name only once its Parse succeeded. Its one hazard is a schema change by another
 * process (a node migrating during a rolling upgrade) that changes the columns a `select *`
 * or `returning *` returns: PostgreSQL then refuses the statement ("cached plan must not
 * change result type"), and the text gets a new name, prepared anew on each connection at
 * its next use.
 */
export class StatementNames {
  private readonly counted = new Map<string, number>();
  private readonly named = new Map<string, string>();
  private serial = 0;
  private naming = true;

  /** The name `text` runs under, or undefined while it is not (yet) worth one. */
  nameOf(text: string): string | undefined {
    const name = this.named.get(text);
    if (name !== undefined || this.named.size >= MAX_NAMED || !this.naming) return name;
    const uses = (this.counted.get(text) ?? 0) + 1;
    if (uses < HOT_AFTER) {
      if (this.counted.size >= MAX_COUNTED) this.counted.clear();
      this.counted.set(text, uses);
      return undefined;
    }
    this.counted.delete(text);
    this.serial += 1;
    const fresh = `taskwarden_${this.serial}`;
    this.named.set(text, fresh);
    return fresh;
  }

  /** `text`'s statement went stale: the next use prepares it under a new name. */
  forget(text: string): void {
    this.named.delete(text);
  }

  /** Named statements do not hold here (a pooler hands each transaction another session): none from now on. */
  stop(): void {
    this.naming = false;
    this.named.clear();
  }
}

type Query = (text: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Makes `client` run repeated statements by name: the calls kysely makes with parameters
 * (`query(text, values)`, a promise). Any other call goes through as it came: a cursor, a
 * callback, and a statement without parameters (BEGIN, COMMIT: nothing to plan, and a named
 * COMMIT a pooler lost would fail the transaction it ends).
 *
 * A named statement refused (stale, or unknown to the session: a pooler in transaction mode,
 * which then ends naming for the pool) runs again at once, unnamed, when it ran outside a
 * transaction: nothing else failed with it. In a transaction, the transaction failed, and
 * its caller sees the error as it would any other.
 */
export function nameRepeatedStatements(client: pg.ClientBase, names: StatementNames): void {
  const plain = client.query.bind(client) as Query;
  // The pool hands onConnect a pg.Client (typed as its base), whose connection reports each ReadyForQuery.
  const { connection } = client as pg.Client;
  // The session's state at its last ReadyForQuery: 'I' idle, 'T' in a transaction, 'E' in a failed one.
  let idle = true;
  connection.on('readyForQuery', (message: { status: string }) => {
    idle = message.status === 'I';
  });
  const query: Query = (text, values, callback) => {
    const name =
      typeof text === 'string' &&
      Array.isArray(values) &&
      values.length > 0 &&
      callback === undefined &&
      names.nameOf(text);
    if (!name) return callback === undefined ? plain(text, values) : plain(text, values, callback);
    const outsideTransaction = idle;
    return (plain({ name, text, values }) as Promise<pg.QueryResult>).catch((error: unknown) => {
      if (isStalePlan(error)) names.forget(text as string);
      else if (isUnknownStatement(error)) names.stop();
      else throw error;
      if (outsideTransaction) return plain(text, values);
      throw error;
    });
  };
  client.query = query as pg.ClientBase['query'];
}
