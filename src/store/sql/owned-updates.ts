// JobstateRepo.updateOwned: the fenced updates of a batch of chunk results, or of agent events, in one statement.
import { type RawBuilder, sql } from 'kysely';
import type { JobstateStatus } from '../../core/model.ts';
import type { OwnedUpdate } from '../../core/ports/store.ts';
import { type CompiledContext, listShape, type Slots, Statement } from './compiled.ts';
import { literals } from './literals.ts';
import { jobstatePatchRow } from './patches.ts';

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

/**
 * Shape `<columns>|<statuses, joined by ",">|<rows list length>|<holder: o or q>`: the
 * statuses are the callers' constants, written as literals (literals.ts); a shorter list
 * of rows repeats its last row (the same values).
 */
const ownedUpdate = new Statement((db, p: Slots<OwnedParams>, shape) => {
  const [columns = '', statuses = '', rows = '1', holder = 'o'] = shape.split('|');
  const holderColumn = HOLDER_COLUMNS[holder as keyof typeof HOLDER_COLUMNS];
  const ids = p.list('ids', Number(rows));
  const set: Record<string, RawBuilder<unknown>> = {};
  for (const column of columns.split(',')) set[column] = perRow(column, ids, p.list(`set.${column}`, ids.length));
  return db
    .updateTable('jobstates')
    .set(set)
    .where('id', 'in', ids)
    .where('status', 'in', literals(statuses.split(',')))
    .where('attempt', '=', perRow<number>('attempt', ids, p.list('attempt', ids.length)))
    .where(holderColumn, '=', perRow<never>(holderColumn, ids, p.list('holder', ids.length)));
});

export async function updateOwned(
  ctx: CompiledContext,
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
  return ownedUpdate.changed(ctx, params, shape);
}
