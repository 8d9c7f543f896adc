// JobstateRepo.updateOwned: the fenced updates of a batch of chunk results, or of agent events, in one statement.
import { type RawBuilder, sql } from 'kysely';
import type { JobstateStatus } from '../../core/model.ts';
import type { OwnedUpdate } from '../../core/ports/store.ts';
import { arrayTypeOf, typedArray } from './bulk-insert.ts';
import { listShape, type Slots, Statement } from './compiled.ts';
import type { SqlContext } from './context.ts';
import { literals } from './literals.ts';
import { jobstatePatchRow } from './patches.ts';
import { unindexed } from './unindexed.ts';

type OwnedParams = { ids: string[]; attempt: number[]; holder: unknown[] } & Record<string, unknown[]>;

/** The column each row's holder is compared with: its lease owner (o) or its applied event seq (q). */
const HOLDER_COLUMNS = { o: 'lease_owner', q: 'event_seq' } as const;

/** A shape's head: `<columns>|<statuses, joined by ",">|<holder: o or q>`, then the form's own part. */
function shapeOf(shape: string) {
  const [columns = '', statuses = '', holder = 'o', rest = ''] = shape.split('|');
  return {
    columns: columns.split(','),
    statuses: literals(statuses.split(',')),
    holderColumn: HOLDER_COLUMNS[holder as keyof typeof HOLDER_COLUMNS],
    rest,
  };
}

/** The lists of a call's values besides its ids, in the order a shape's forms name them. */
const listsOf = (columns: string[]) => [
  ['attempt', 'attempt'],
  ['holder', 'holder'],
  ...columns.map((column) => [`set.${column}`, column]),
];

/**
 * How one list of the rows' values travels (PostgreSQL): `1` bound once (every row has that
 * value), `b` or `t` as one array of bigint or text. A list that varies has a value that is
 * not null, which types its array; a list of nulls only is bound once, typed by its column.
 */
type ListForm = '1' | 'b' | 't';
const formOf = (values: readonly unknown[]): ListForm =>
  values.every((value) => value === values[0]) ? '1' : arrayTypeOf(values) === 'bigint' ? 'b' : 't';

/**
 * The rows zipped from one array per list by `unnest` (PostgreSQL, whose untyped parameters
 * in a VALUES list would come out as text): each jobstate finds its row by id, one
 * statement for any number of rows. A CASE on the id per column (its form until then)
 * compared every id in every column: 17–22 ms a batch of 256 ends against 6–8 ms, and a
 * text per list length, parsed and planned again at each (measured apart and in the fleet
 * bench's statement log). Shape: the head, then one form per list (listsOf); the forms
 * vary with which values a batch's rows share, a few per caller (a batch's time, status,
 * and fence are most often one value).
 */
const ownedUpdateByArrays = new Statement((db, p: Slots<Record<string, unknown>>, shape) => {
  const { columns, statuses, holderColumn, rest: forms } = shapeOf(shape);
  const arrays = [typedArray(p('ids'), 'text')];
  const names = [sql.ref('id')];
  const values = listsOf(columns).map(([key = '', name = ''], i) => {
    const form = forms[i] as ListForm;
    if (form === '1') return sql`${p(key)}`;
    arrays.push(typedArray(p(key), form === 'b' ? 'bigint' : 'text'));
    names.push(sql.ref(name));
    return sql.ref(`v.${name}`);
  });
  const [attempt, holder, ...sets] = values;
  const set: Record<string, RawBuilder<unknown>> = {};
  for (const [i, column] of columns.entries()) set[column] = sets[i] as RawBuilder<unknown>;
  const rows = sql`unnest(${sql.join(arrays)})`.as<'v'>(sql`v(${sql.join(names)})`);
  return db
    .updateTable('jobstates')
    .from(rows)
    .set(set)
    .where(sql.ref('jobstates.id'), '=', sql.ref('v.id'))
    .where((eb) =>
      // The fence, unindexed: PostgreSQL without statistics read every running jobstate off the
      // partial index its status names (jobstates_running_lease), 3.6 ms a batch with 5,000
      // running against 0.3 ms by id.
      unindexed(
        eb,
        eb('jobstates.status', 'in', statuses),
        eb.and([eb(sql.ref('jobstates.attempt'), '=', attempt), eb(sql.ref(`jobstates.${holderColumn}`), '=', holder)]),
      ),
    );
});

/** PostgreSQL: each list of the rows' values bound once when every row has the same, else as an array. */
function byArrays(ctx: SqlContext, params: OwnedParams, head: string, columns: string[]): Promise<number> {
  const bound: Record<string, unknown> = { ids: params.ids };
  let forms = '';
  for (const [key] of listsOf(columns)) {
    const list = params[key as string] as unknown[];
    const form = formOf(list);
    forms += form;
    bound[key as string] = form === '1' ? list[0] : list;
  }
  return ownedUpdateByArrays.changed(ctx, bound, `${head}|${forms}`);
}

/**
 * The rows joined from a `VALUES` list (SQLite, whose VALUES keep their types): each jobstate
 * finds its row by id, where a CASE on the id per column compared every id in every column
 * (through the store, 50 ends a call: 18–23 µs a row, 13–14 this way). A shorter list
 * repeats its last row: a jobstate met twice takes the same values, and is counted once.
 */
const ownedUpdateByJoin = new Statement((db, p: Slots<OwnedParams>, shape) => {
  const { columns, statuses, holderColumn, rest } = shapeOf(shape);
  const rows = Number(rest);
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
  const head = `${columns.join(',')}|${status.join(',')}|${holder}`;
  if (ctx.bulkRows === 'arrays') return byArrays(ctx, params, head, columns);
  return ownedUpdateByJoin.changed(ctx, params, `${head}|${listShape(rows.length)}`);
}
