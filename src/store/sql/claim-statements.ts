import type { ExpressionBuilder, Kysely, SelectQueryBuilder, UpdateObject } from 'kysely';
import { JOBSTATE_LIFECYCLE, sourcesOf } from '../../core/lifecycle.ts';
import { type Slots, Statement } from './compiled.ts';
import type { Database } from './schema.ts';

// The statements of a claim (jobstate-claims.ts), built once per store (compiled.ts).

/** Not past the window it was prepared in: a claim may take it. */
const windowOpen = (now: number) => (eb: ExpressionBuilder<Database, 'jobstates'>) =>
  eb.or([eb('window_closes_at', 'is', null), eb('window_closes_at', '>', now)]);

/** Values of a claim's statements (compiled.ts): each claimer uses its own. */
export type ClaimParams = {
  now: number;
  limit: number;
  owner: string;
  leaseUntil: number;
  agentId: string;
  skip: string[];
  ids: string[];
};
export type Claimer = 'server' | 'agent';
type ClaimPick = SelectQueryBuilder<Database, 'jobstates', { id: string }>;

/** What each claimer picks (besides claimable and in its window) and sets on what it took. */
const CLAIMERS: Record<
  Claimer,
  {
    pick: (q: ClaimPick, p: Slots<ClaimParams>, skip: number) => ClaimPick;
    set: (eb: ExpressionBuilder<Database, 'jobstates'>, p: Slots<ClaimParams>) => UpdateObject<Database, 'jobstates'>;
  }
> = {
  /** started_at keeps the first start, so a chunked job's timeout counts from when it really began. */
  server: {
    pick: (q) => q.where('runner', '=', 'server').orderBy('prepared_at'),
    set: (eb, p) => ({
      status: 'running',
      lease_owner: p('owner'),
      lease_expires_at: p('leaseUntil'),
      started_at: eb.fn.coalesce('started_at', eb.val(p('now'))),
      updated_at: p('now'),
    }),
  },
  /** An agent job never checkpoints, so each claim is a fresh start; `skip`, the ones it holds. */
  agent: {
    pick: (q, p, skip) =>
      q
        .where('agent_id', '=', p('agentId'))
        .where('runner', '=', 'agent')
        .$if(skip > 0, (w) => w.where('id', 'not in', p.list('skip', skip)))
        .orderBy('prepared_at'),
    set: (_eb, p) => ({
      status: 'running',
      started_at: p('now'),
      event_seq: 0,
      progress: null,
      elapsed_ms: 0,
      updated_at: p('now'),
    }),
  },
};

/** The pick: shape `<claimer>|<skip list length>|L (locks, skipping locked rows)`. */
function picked(db: Kysely<Database>, p: Slots<ClaimParams>, shape: string): ClaimPick {
  const [claimer, skip, locks] = shape.split('|') as [Claimer, string, string];
  const claimable = sourcesOf(JOBSTATE_LIFECYCLE, 'running');
  const q = db
    .selectFrom('jobstates')
    .select('id')
    .where('status', 'in', claimable)
    .where(windowOpen(p('now')));
  return CLAIMERS[claimer]
    .pick(q, p, Number(skip))
    .orderBy('id')
    .limit(p('limit'))
    .$if(locks === 'L', (w) => w.forUpdate().skipLocked());
}

export const pick = new Statement(picked);

export const claimInOne = new Statement((db, p: Slots<ClaimParams>, shape) =>
  db
    .with(
      (cte) => cte('picked').materialized(),
      () => picked(db, p, shape),
    )
    .updateTable('jobstates')
    .set((eb) => CLAIMERS[shape.split('|')[0] as Claimer].set(eb, p))
    .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
    .returningAll(),
);

/** pickThenUpdate's update: shape `<claimer>|<ids' length>`. */
export const setPicked = new Statement((db, p: Slots<ClaimParams>, shape) => {
  const [claimer, ids] = shape.split('|') as [Claimer, string];
  return db
    .updateTable('jobstates')
    .set((eb) => CLAIMERS[claimer].set(eb, p))
    .where('id', 'in', p.list('ids', Number(ids)));
});

export const readPicked = new Statement((db, p: Slots<{ ids: string[] }>, shape) =>
  db
    .selectFrom('jobstates')
    .selectAll()
    .where('id', 'in', p.list('ids', Number(shape))),
);
