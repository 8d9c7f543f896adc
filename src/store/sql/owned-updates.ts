// JobstateRepo.updateOwned: the fenced updates of a batch of chunk results, or of agent events, in one statement.
import { type ExpressionBuilder, type RawBuilder, sql } from 'kysely';
import type { JobstateStatus } from '../../core/model.ts';
import type { OwnedUpdate } from '../../core/ports/store.ts';
import { listShape, type Slots, Statement } from './compiled.ts';
import type { SqlContext } from './context.ts';
import { literals } from './literals.ts';
import { jobstatePatchRow } from './patches.ts';
import type { Database } from './schema.ts';
import { unindexed } from './unindexed.ts';

type OwnedParams = { ids: string[]; attempt: number[]; holder: unknown[] } & Record<string, unknown[]>;

/** The column each row's holder is compared with: its lease owner (o) or its applied event seq (q). */
const HOLDER_COLUMNS = { o: 'lease_owner', q: 'event_seq' } as const;

/**
 * Each row's value of `column`: `CASE id WHEN <id> THEN <value> … ELSE <column> END`. The
 * ELSE names the column so that PostgreSQL types the values as the column (an untyped
 * parameter would be text); the rows' WHERE never reaches it.
 */
function perRow<T = unknown>(column: string, ids: unknown[], values: unknown[]): RawBuilder<T> {
  const whens = ids.map((id, i) => sql`when ${id} then ${values[i]}`);
  return sql<T>`case ${sql.ref('id')} ${sql.join(whens, sql` `)} else ${sql.ref(column)} end`;
}

/** A shape's parts: `<columns>|<statuses, joined by ",">|<rows list length>|<holder: o or q>`. */
function shapeOf(shape: string) {
  const [columns = '', statuses = '', rows = '1', holder = 'o'] = shape.split('|');
  return {
    columns: columns.split(','),
    statuses: literals(statuses.split(',')),
    rows: Number(rows),
    holderColumn: HOLDER_COLUMNS[holder as keyof typeof HOLDER_COLUMNS],
  };
}

/**
 * Each row's values picked by `CASE id WHEN …` (PostgreSQL). The statuses are the callers'
 * constants, written as literals (literals.ts); a shorter list of rows repeats its last row
 * (the same values).
 */
const ownedUpdateByCase = new Statement((db, p: Slots<OwnedParams>, shape) => {
  const { columns, statuses, rows, holderColumn } = shapeOf(shape);
  const ids = p.list('ids', rows);
  const set: Record<string, RawBuilder<unknown>> = {};
  for (const column of columns) set[column] = perRow(column, ids, p.list(`set.${column}`, ids.length));
  // The fence, unindexed: PostgreSQL without statistics read every running jobstate off the
  // partial index its status names (jobstates_running_lease), 3.6 ms a batch with 5,000
  // running against 0.3 ms by id.
  const fence = (eb: ExpressionBuilder<Database, 'jobstates'>) =>
    unindexed(
      eb,
      eb('status', 'in', statuses),
      eb.and([
        eb('attempt', '=', perRow<number>('attempt', ids, p.list('attempt', ids.length))),
        eb(holderColumn, '=', perRow<never>(holderColumn, ids, p.list('holder', ids.length))),
      ]),
    );
  return db.updateTable('jobstates').set(set).where('id', 'in', ids).where(fence);
});

/**
 * The rows joined from a `VALUES` list (SQLite, whose VALUES keep their types): each jobstate
 * finds its row by id, where the CASE form compares every id in every column (through the
 * store, 50 ends a call: 18–23 µs a row, 13–14 this way). A shorter list repeats its last
 * row: a jobstate met twice takes the same values, and is counted once.
 */
const ownedUpdateByJoin = new Statement((db, p: Slots<OwnedParams>, shape) => {
  const { columns, statuses, rows, holderColumn } = shapeOf(shape);
  const lists = [p.list('ids', rows), p.list('attempt', rows), p.list('holder', rows)];
  for (const column of columns) lists.push(p.list(`set.${column}`, rows));
  const tuples = Array.from({ length: rows }, (_, row) => sql`(${sql.join(lists.map((list) => list[row]))})`);
  const names = ['id', 'attempt', 'holder', ...columns].map(
    (name, i) => sql`${sql.ref(`column${i + 1}`)} as ${sql.ref(name)}`,
  );
  const values = sql`(select ${sql.join(names)} from (values ${sql.join(tuples)}))`;
  const set: Record<string, RawBuilder<unknown>> = {};
  for (const column of columns) set[column] = sql.ref(`v.${column}`);
  return db
    .updateTable('jobstates')
    .from(values.as('v'))
    .set(set)
    .where(sql.ref('jobstates.id'), '=', sql.ref('v.id'))
    .where('jobstates.status', 'in', statuses)
    .where(sql.ref('jobstates.attempt'), '=', sql.ref('v.attempt'))
    .where(sql.ref(`jobstates.${holderColumn}`), '=', sql.ref('v.holder'));
});

export async function updateOwned(
  ctx: SqlContext,
  rows: readonly OwnedUpdate[],
  status: JobstateStatus[],
): Promise<number> {
  const first = rows[0];
  if (!first || status.length === 0) return 0;
  const patches = rows.map((row) => jobstatePatchRow(row.patch) as Record<string, unknown>);
  const columns = Object.keys(patches[0] as object);
  const holder = first.leaseOwner === undefined ? 'q' : 'o';
  const params: OwnedParams = {
    ids: rows.map((row) => row.id),
    attempt: rows.map((row) => row.attempt),
    holder: rows.map((row) => row.leaseOwner ?? row.eventSeq),
  };
  for (const [i, patch] of patches.entries()) {
    const same = Object.keys(patch).length === columns.length && columns.every((column) => column in patch);
    if (!same) throw new Error(`updateOwned: row ${rows[i]?.id} sets other columns than the first row`);
    if ((rows[i]?.leaseOwner === undefined ? 'q' : 'o') !== holder)
      throw new Error(`updateOwned: row ${rows[i]?.id} is fenced otherwise than the first row`);
  }
  for (const column of columns) params[`set.${column}`] = patches.map((patch) => patch[column]);
  const shape = `${columns.join(',')}|${status.join(',')}|${listShape(rows.length)}|${holder}`;
  return (ctx.valuesKeepTypes ? ownedUpdateByJoin : ownedUpdateByCase).changed(ctx, params, shape);
}
