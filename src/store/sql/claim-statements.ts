import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder, sql, type UpdateObject } from 'kysely';
import { JOBSTATE_LIFECYCLE, sourcesOf } from '../../core/lifecycle.ts';
import { type Slots, Statement } from './compiled.ts';
import { literal, statusIn } from './literals.ts';
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
  /** Agents' claims: agent i takes at most caps[i]. */
  agents: string[];
  caps: number[];
  /** Agents' claims: `skipKey` of each (agent, jobstate) not to hand out. */
  skip: string[];
  ids: string[];
};
export type Claimer = 'server' | 'agent';
type ClaimPick = SelectQueryBuilder<Database, 'jobstates', { id: string }>;

/** What a claimer sets on what it took. */
const SETS: Record<
  Claimer,
  (eb: ExpressionBuilder<Database, 'jobstates'>, p: Slots<ClaimParams>) => UpdateObject<Database, 'jobstates'>
> = {
  /** started_at keeps the first start, so a chunked job's timeout counts from when it really began. */
  server: (eb, p) => ({
    status: 'running',
    lease_owner: p('owner'),
    lease_expires_at: p('leaseUntil'),
    started_at: eb.fn.coalesce('started_at', eb.val(p('now'))),
    updated_at: p('now'),
  }),
  /** An agent job never checkpoints, so each claim is a fresh start. */
  agent: (_eb, p) => ({
    status: 'running',
    started_at: p('now'),
    event_seq: 0,
    progress: null,
    elapsed_ms: 0,
    updated_at: p('now'),
  }),
};

/** An (agent, jobstate) pair of a skip list, as the pick compares it: ids hold no "/". */
export const skipKey = (agentId: string, jobstateId: string) => `${agentId}/${jobstateId}`;

const claimable = sourcesOf(JOBSTATE_LIFECYCLE, 'running');

/** Claimable and in its window at `now`. */
function open(db: Kysely<Database>, p: Slots<ClaimParams>) {
  return db
    .selectFrom('jobstates')
    .where((eb) => statusIn(eb, claimable))
    .where(windowOpen(p('now')));
}

/**
 * The server's pick, shape `server|0|L`; the agents' pick, shape `agent|<agents' list
 * length>|<skip list length>|<1: one capacity for all, else 0>` or, where rows lock,
 * `agent|arrays|L`: each agent's jobstates by (prepared_at, id), the first caps[i] of agent
 * i taken. L: locks, skipping locked rows (PostgreSQL).
 */
function picked(db: Kysely<Database>, p: Slots<ClaimParams>, shape: string): ClaimPick {
  const [claimer, ...rest] = shape.split('|') as [Claimer, ...string[]];
  const locks = rest.at(-1) === 'L';
  if (claimer === 'server') {
    const q = open(db, p).select('id').where('runner', '=', literal('server')).orderBy('prepared_at').orderBy('id');
    return q.limit(p('limit')).$if(locks, (w) => w.forUpdate().skipLocked());
  }
  if (locks) return lockedForAgents(db, p);
  const [agents, skip, caps] = rest;
  return rankedForAgents(db, p, {
    agents: Number(agents),
    skip: Number(skip),
    oneCap: caps === '1',
  }) as unknown as ClaimPick;
}

/**
 * The agents' pick where rows lock (PostgreSQL): for each agent, its first caps[i] rows not
 * locked by another claimer, in a LATERAL subquery that locks as it reads. A row another
 * claimer holds is passed over for the agent's next one, so concurrent claims of one agent
 * together take all its work; one committed since the statement's snapshot is checked again
 * as it is now (no longer prepared: passed over too). Locking and window functions cannot
 * share a query level, so a ranking (as SQLite's) would lock after choosing, and come back
 * short of rows another claimer held. The lists travel as two arrays and one skip array: one
 * statement for any number of agents.
 */
function lockedForAgents(db: Kysely<Database>, p: Slots<ClaimParams>): ClaimPick {
  const wanted = sql<{ agent_id: string; cap: number }>`unnest(${p('agents')}::text[], ${p('caps')}::integer[])`;
  return db
    .selectFrom(wanted.as<'wanted'>(sql`wanted(agent_id, cap)`))
    .innerJoinLateral(
      () =>
        open(db, p)
          .select('jobstates.id')
          .where('runner', '=', literal('agent'))
          .where(sql<boolean>`jobstates.agent_id = wanted.agent_id`)
          .where(sql<boolean>`not (jobstates.agent_id || '/' || jobstates.id = any(${p('skip')}::text[]))`)
          .orderBy('prepared_at')
          .orderBy('id')
          .limit(sql<number>`wanted.cap`)
          .forUpdate()
          .skipLocked()
          .as('mine'),
      (join) => join.onTrue(),
    )
    .select('mine.id') as unknown as ClaimPick;
}

/** The lists of an agents' pick without locks: their lengths, and whether every agent asks the same capacity. */
interface RankedLists {
  agents: number;
  skip: number;
  oneCap: boolean;
}

/**
 * The ids within each agent's capacity, of `agents` agents (list length) with `skip` skip
 * pairs, ranked by row_number(): without locks (SQLite's single writer) the ranking is the
 * pick. A status filter outside it led SQLite's planner to walk every prepared jobstate.
 * Each ranked row finds its agent's capacity in a CASE over the agents, one WHEN after the
 * other: a batch of 256 contacts compared each row with up to 256 ids, a millisecond of a
 * fleet's every claim. Agents asking the same capacity (a fleet's usual case) skip it.
 */
function rankedForAgents(db: Kysely<Database>, p: Slots<ClaimParams>, { agents, skip, oneCap }: RankedLists) {
  const agentIds = p.list('agents', agents);
  const caps = p.list('caps', agents);
  const ranked = open(db, p)
    .select([
      'id',
      'agent_id',
      sql<number>`row_number() over (partition by agent_id order by prepared_at, id)`.as('rank'),
    ])
    .where('runner', '=', literal('agent'))
    .where('agent_id', 'in', agentIds)
    .$if(skip > 0, (w) => w.where(sql`agent_id || '/' || id`, 'not in', p.list('skip', skip)));
  return db
    .selectFrom(ranked.as('ranked'))
    .select('ranked.id')
    .where((eb) => {
      // A padded list repeats its last agent and cap: the same WHEN twice changes nothing.
      const capOf = (i: number) => eb.cast<number>(eb.val(caps[i]), 'integer');
      if (oneCap) return eb('ranked.rank', '<=', capOf(0));
      let cap = eb
        .case('ranked.agent_id')
        .when(eb.val(agentIds[0] as string))
        .then(capOf(0));
      for (let i = 1; i < agents; i++) cap = cap.when(eb.val(agentIds[i] as string)).then(capOf(i));
      return eb('ranked.rank', '<=', cap.end());
    });
}

export const pick = new Statement(picked);

export const claimInOne = new Statement((db, p: Slots<ClaimParams>, shape) =>
  db
    .with(
      (cte) => cte('picked').materialized(),
      () => picked(db, p, shape),
    )
    .updateTable('jobstates')
    .set((eb) => SETS[shape.split('|')[0] as Claimer](eb, p))
    .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
    .returningAll(),
);

/** pickThenUpdate's update: shape `<claimer>|<ids' length>`. */
export const setPicked = new Statement((db, p: Slots<ClaimParams>, shape) => {
  const [claimer, ids] = shape.split('|') as [Claimer, string];
  return db
    .updateTable('jobstates')
    .set((eb) => SETS[claimer](eb, p))
    .where('id', 'in', p.list('ids', Number(ids)));
});

export const readPicked = new Statement((db, p: Slots<{ ids: string[] }>, shape) =>
  db
    .selectFrom('jobstates')
    .selectAll()
    .where('id', 'in', p.list('ids', Number(shape))),
);
